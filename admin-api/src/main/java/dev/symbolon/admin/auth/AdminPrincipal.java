package dev.symbolon.admin.auth;

import java.util.Objects;

/**
 * An authenticated administrator.
 *
 * @param subject stable name of the actor: {@code bootstrap}, an admin key id, or a JWT subject
 * @param tenantId the only tenant a tenant-admin may see; null for the other roles
 */
public record AdminPrincipal(String subject, Role role, String tenantId) {

    public AdminPrincipal {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(role, "role");
        if ((role == Role.TENANT_ADMIN) != (tenantId != null)) {
            throw new IllegalArgumentException("a tenant-admin, and only a tenant-admin, is bound to a tenant");
        }
    }
}
