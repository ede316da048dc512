package dev.symbolon.admin.auth;

import java.util.Objects;

/**
 * An authenticated administrator, and where the current request came from (for the audit log).
 *
 * @param subject stable name of the actor: {@code bootstrap}, an admin key id, or a JWT subject
 * @param tenantId the only tenant a tenant-admin may see; null for the other roles
 * @param sourceIp the client address of the request; null outside a request
 * @param requestId the request's id; null outside a request
 */
public record AdminPrincipal(String subject, Role role, String tenantId, String sourceIp, String requestId) {

    public AdminPrincipal(String subject, Role role, String tenantId) {
        this(subject, role, tenantId, null, null);
    }

    public AdminPrincipal {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(role, "role");
        if ((role == Role.TENANT_ADMIN) != (tenantId != null)) {
            throw new IllegalArgumentException("a tenant-admin, and only a tenant-admin, is bound to a tenant");
        }
    }

    /** The same administrator, acting in a request from {@code sourceIp}. */
    public AdminPrincipal inRequest(String sourceIp, String requestId) {
        return new AdminPrincipal(subject, role, tenantId, sourceIp, requestId);
    }

    /** Identity without request origin: what a token says. */
    public AdminPrincipal identity() {
        return new AdminPrincipal(subject, role, tenantId);
    }
}
