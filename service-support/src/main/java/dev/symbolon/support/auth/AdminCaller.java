package dev.symbolon.support.auth;

/**
 * Who called with an admin credential: the admin subject, the role's wire name
 * ({@code platform-admin}, {@code finance}, {@code tenant-admin}…) and, for a tenant admin, its tenant.
 */
public record AdminCaller(String subject, String role, String tenantId) {

    private static final String ATTRIBUTE = AdminCaller.class.getName();

    /** The caller an {@link AdminAccessFilter} admitted for this exchange, if any. */
    public static java.util.Optional<AdminCaller> of(org.springframework.web.server.ServerWebExchange exchange) {
        return java.util.Optional.ofNullable(exchange.getAttribute(ATTRIBUTE));
    }

    void attachTo(org.springframework.web.server.ServerWebExchange exchange) {
        exchange.getAttributes().put(ATTRIBUTE, this);
    }

    /** The bootstrap admin token's caller: the operator, with every right. */
    public static final AdminCaller BOOTSTRAP = new AdminCaller("bootstrap", "platform-admin", null);
}
