package dev.symbolon.admin.auth;

import dev.symbolon.admin.web.ApiException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Who may do what, in one table. Every service method that reads or changes a tenant's objects asks
 * here first, with the tenant the object belongs to (looked up, never taken from the caller), so a
 * tenant-admin cannot reach another tenant by guessing ids: objects of other tenants are "not found".
 */
public final class Access {

    /** Operations of the admin API. */
    public enum Operation {
        TENANT_CREATE,
        TENANT_READ,
        TENANT_UPDATE,
        APP_READ,
        APP_WRITE,
        CREDENTIAL_READ,
        CREDENTIAL_ISSUE,
        CREDENTIAL_REVOKE,
        ADMIN_KEY_MANAGE,
        AUDIT_READ,
        AUDIT_VERIFY,
        POLICY_READ,
        TENANT_POLICY_WRITE,
        APP_POLICY_WRITE,
        IP_RULE_READ,
        IP_RULE_WRITE,
        GLOBAL_IP_RULE_READ,
        WEBHOOK_READ,
        WEBHOOK_WRITE,
        PROVIDER_KEY_READ,
        PROVIDER_KEY_MANAGE,
        TENANT_KEY_READ,
        TENANT_KEY_MANAGE
    }

    private static final Map<Operation, Set<Role>> ALLOWED = new EnumMap<>(Operation.class);

    static {
        Set<Role> everyone = EnumSet.allOf(Role.class);
        ALLOWED.put(Operation.TENANT_CREATE, EnumSet.of(Role.PLATFORM_ADMIN));
        ALLOWED.put(Operation.TENANT_READ, everyone);
        ALLOWED.put(Operation.TENANT_UPDATE, EnumSet.of(Role.PLATFORM_ADMIN));
        ALLOWED.put(Operation.APP_READ, everyone);
        ALLOWED.put(Operation.APP_WRITE, EnumSet.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN));
        ALLOWED.put(
                Operation.CREDENTIAL_READ, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER, Role.TENANT_ADMIN));
        ALLOWED.put(Operation.CREDENTIAL_ISSUE, EnumSet.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN));
        ALLOWED.put(
                Operation.CREDENTIAL_REVOKE, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER, Role.TENANT_ADMIN));
        ALLOWED.put(Operation.ADMIN_KEY_MANAGE, EnumSet.of(Role.PLATFORM_ADMIN));
        ALLOWED.put(Operation.AUDIT_READ, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER, Role.TENANT_ADMIN));
        ALLOWED.put(Operation.AUDIT_VERIFY, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER));
        ALLOWED.put(Operation.POLICY_READ, everyone);
        ALLOWED.put(Operation.TENANT_POLICY_WRITE, EnumSet.of(Role.PLATFORM_ADMIN));
        ALLOWED.put(Operation.APP_POLICY_WRITE, EnumSet.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN));
        ALLOWED.put(Operation.IP_RULE_READ, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER, Role.TENANT_ADMIN));
        ALLOWED.put(Operation.IP_RULE_WRITE, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER));
        ALLOWED.put(Operation.GLOBAL_IP_RULE_READ, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER));
        ALLOWED.put(Operation.WEBHOOK_READ, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER, Role.TENANT_ADMIN));
        ALLOWED.put(Operation.WEBHOOK_WRITE, EnumSet.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN));
        ALLOWED.put(Operation.PROVIDER_KEY_READ, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER));
        ALLOWED.put(Operation.PROVIDER_KEY_MANAGE, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER));
        ALLOWED.put(
                Operation.TENANT_KEY_READ, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER, Role.TENANT_ADMIN));
        ALLOWED.put(
                Operation.TENANT_KEY_MANAGE, EnumSet.of(Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER, Role.TENANT_ADMIN));
    }

    /** Refuses (403) an operation the principal's role never allows. */
    public static void require(AdminPrincipal principal, Operation operation) {
        if (!ALLOWED.get(operation).contains(principal.role())) {
            throw ApiException.forbidden("Your role (" + principal.role().wireName() + ") may not do this.");
        }
    }

    /**
     * Refuses an operation on an object of {@code tenantId}: 403 when the role never allows it, 404
     * (as if it did not exist) when a tenant-admin reaches for another tenant.
     */
    public static void require(AdminPrincipal principal, Operation operation, String tenantId) {
        require(principal, operation);
        if (principal.role() == Role.TENANT_ADMIN && !principal.tenantId().equals(tenantId)) {
            throw ApiException.notFound("tenant");
        }
    }

    /** Whether the principal sees every tenant, or only its own. */
    public static boolean seesAllTenants(AdminPrincipal principal) {
        return principal.role() != Role.TENANT_ADMIN;
    }

    private Access() {}
}
