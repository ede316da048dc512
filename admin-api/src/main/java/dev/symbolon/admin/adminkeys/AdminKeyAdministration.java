package dev.symbolon.admin.adminkeys;

import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.audit.Changes;
import dev.symbolon.admin.auth.Access;
import dev.symbolon.admin.auth.AdminKey;
import dev.symbolon.admin.auth.AdminKeyRepository;
import dev.symbolon.admin.auth.AdminKeys;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.auth.Role;
import dev.symbolon.admin.tenants.Tenants;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Ids;
import dev.symbolon.admin.web.Page;
import dev.symbolon.contracts.AdminKeyRevoked;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.Topics;
import dev.symbolon.support.outbox.Outbox;
import java.time.Clock;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Administrators' credentials ({@code sym_admin_…}) issued once (stored hashed), listed and revoked. */
@Service
class AdminKeyAdministration {

    private final AdminKeyRepository repository;
    private final AdminKeys keys;
    private final Tenants tenants;
    private final AuditLog audit;
    private final Outbox outbox;
    private final Clock clock = Clock.systemUTC();

    AdminKeyAdministration(
            AdminKeyRepository repository, AdminKeys keys, Tenants tenants, AuditLog audit, Outbox outbox) {
        this.repository = repository;
        this.keys = keys;
        this.tenants = tenants;
        this.audit = audit;
        this.outbox = outbox;
    }

    @Transactional
    IssuedAdminKey issue(AdminPrincipal actor, Role role, String tenantId, String label) {
        Access.require(actor, Access.Operation.ADMIN_KEY_MANAGE);
        if (role == Role.TENANT_ADMIN) {
            if (tenantId == null) {
                throw ApiException.badRequest("a tenant-admin key needs a tenantId");
            }
            tenants.requireExists(tenantId);
        } else if (tenantId != null) {
            throw ApiException.badRequest("only a tenant-admin key is bound to a tenant");
        }
        String key = Ids.secret(AdminKeys.PREFIX);
        AdminKey saved = repository.save(new AdminKey(
                Ids.id("adk_"),
                keys.hash(key),
                key.substring(0, AdminKeys.PREFIX.length() + 4),
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
    Page<AdminKey.AdminKeyView> list(AdminPrincipal actor, String cursor, Integer requestedLimit) {
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
    AdminKey.AdminKeyView revoke(AdminPrincipal actor, String keyId) {
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
    record IssuedAdminKey(AdminKey.AdminKeyView adminKey, String key) {
        @Override
        public String toString() {
            return "IssuedAdminKey[" + adminKey.keyId() + "]";
        }
    }
}
