package dev.symbolon.admin.auth;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.audit.Changes;
import dev.symbolon.admin.tenants.Tenants;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Ids;
import dev.symbolon.admin.web.Page;
import dev.symbolon.contracts.CredentialHasher;
import java.time.Clock;
import java.util.Optional;
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
    private final CredentialHasher hasher;
    private final Clock clock = Clock.systemUTC();

    AdminKeys(AdminKeyRepository repository, Tenants tenants, AuditLog audit, AdminProperties properties) {
        this.repository = repository;
        this.tenants = tenants;
        this.audit = audit;
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

    @Transactional
    public AdminKey.AdminKeyView revoke(AdminPrincipal actor, String keyId) {
        Access.require(actor, Access.Operation.ADMIN_KEY_MANAGE);
        AdminKey key = repository.findById(keyId).orElseThrow(() -> ApiException.notFound("admin key"));
        if (key.active()) {
            key.revoke(clock.instant());
            audit.record(actor, "admin_key.revoked", key.view().tenantId(), keyId, java.util.Map.of());
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
