package dev.symbolon.admin.auth;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.audit.Changes;
import dev.symbolon.admin.outbox.Outbox;
import dev.symbolon.admin.tenants.Tenants;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Ids;
import dev.symbolon.admin.web.Page;
import dev.symbolon.contracts.AdminKeyRevoked;
import dev.symbolon.contracts.CredentialHasher;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.Topics;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Administrators' credentials ({@code sym_admin_…}): issued once, stored hashed, revocable. */
@Service
public class AdminKeys {

    static final String PREFIX = "sym_admin_";

    private final AdminKeyRepository repository;
    private final Tenants tenants;
    private final AuditLog audit;
    private final Outbox outbox;
    private final CredentialHasher hasher;
    private final Clock clock = Clock.systemUTC();

    AdminKeys(
            AdminKeyRepository repository, Tenants tenants, AuditLog audit, Outbox outbox, AdminProperties properties) {
        this.repository = repository;
        this.tenants = tenants;
        this.audit = audit;
        this.outbox = outbox;
        this.hasher = new CredentialHasher(properties.credentialPepper());
    }

    /** The principal of an active admin key, if the credential is one. */
    @Transactional(readOnly = true)
    public Optional<AdminPrincipal> authenticate(String credential) {
        if (credential == null || !credential.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return repository
                .findByHash(hasher.hash(credential))
                .filter(AdminKey::active)
                .map(AdminKey::principal);
    }

    /** Whether the admin key of this id exists and is not revoked. */
    @Transactional(readOnly = true)
    public boolean isActive(String keyId) {
        return repository.findById(keyId).filter(AdminKey::active).isPresent();
    }

    @Transactional
    public IssuedAdminKey issue(AdminPrincipal actor, Role role, String tenantId, String label) {
        Access.require(actor, Access.Operation.ADMIN_KEY_MANAGE);
        if (role == Role.TENANT_ADMIN) {
            if (tenantId == null) {
                throw ApiException.badRequest("a tenant-admin key needs a tenantId");
            }
            tenants.requireExists(tenantId);
        } else if (tenantId != null) {
            throw ApiException.badRequest("only a tenant-admin key is bound to a tenant");
        }
        String key = Ids.secret(PREFIX);
        AdminKey saved = repository.save(new AdminKey(
                Ids.id("adk_"),
                hasher.hash(key),
                key.substring(0, PREFIX.length() + 4),
                role,
                tenantId,
                label,
                actor.subject(),
                clock.instant()));
        audit.record(
                actor,
                "admin_key.issued",
                tenantId,
                saved.view().keyId(),
                Changes.of()
                        .put("role", role.wireName())
                        .put("label", label)
                        .put("displayPrefix", saved.view().displayPrefix())
                        .toMap());
        return new IssuedAdminKey(saved.view(), key);
    }

    @Transactional(readOnly = true)
    public Page<AdminKey.AdminKeyView> list(AdminPrincipal actor, String cursor, Integer requestedLimit) {
        Access.require(actor, Access.Operation.ADMIN_KEY_MANAGE);
        int limit = Page.limit(requestedLimit);
        return Page.of(
                repository.findByKeyIdGreaterThanOrderByKeyId(Page.after(cursor), Limit.of(limit + 1)).stream()
                        .map(AdminKey::view)
                        .toList(),
                limit,
                AdminKey.AdminKeyView::keyId);
    }

    /**
     * Revokes the key; in the same transaction the revocation goes to the outbox for
     * {@code admin-key-revocations.v1}, so every service that accepts admin JWTs refuses the ones
     * bought with this key as soon as it reads it (admin-api itself checks the key on every request).
     */
    @Transactional
    public AdminKey.AdminKeyView revoke(AdminPrincipal actor, String keyId) {
        Access.require(actor, Access.Operation.ADMIN_KEY_MANAGE);
        AdminKey key = repository.findById(keyId).orElseThrow(() -> ApiException.notFound("admin key"));
        if (key.active()) {
            key.revoke(clock.instant());
            String tenantId = key.view().tenantId();
            audit.record(actor, "admin_key.revoked", tenantId, keyId, java.util.Map.of());
            outbox.append(
                    Topics.ADMIN_KEY_REVOCATIONS,
                    keyId,
                    EventJson.encode(new AdminKeyRevoked(
                            UUID.randomUUID(),
                            clock.instant(),
                            tenantId == null ? KeyLifecycleEvent.PLATFORM_TENANT : tenantId,
                            AdminKeyRevoked.CURRENT_VERSION,
                            keyId)));
        }
        return key.view();
    }

    /** A new admin key: {@code key} is shown once and never again. */
    public record IssuedAdminKey(AdminKey.AdminKeyView adminKey, String key) {
        @Override
        public String toString() {
            return "IssuedAdminKey[" + adminKey.keyId() + "]";
        }
    }
}
