package dev.symbolon.support.auth;

/**
 * Who called with an admin credential: the admin subject, the role's wire name
 * ({@code platform-admin}, {@code finance}, {@code tenant-admin}…) and, for a tenant admin, its tenant.
 */
public record AdminCaller(String subject, String role, String tenantId) {

    /** The bootstrap admin token's caller: the operator, with every right. */
    public static final AdminCaller BOOTSTRAP = new AdminCaller("bootstrap", "platform-admin", null);
}
