package dev.symbolon.admin.tenants;

import dev.symbolon.admin.auth.Access;
import dev.symbolon.admin.auth.Access.Operation;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.web.ApiException;
import org.springframework.stereotype.Component;

/**
 * The one place a tenant-owned object is looked up for a caller: the access check runs against the
 * tenant the object really belongs to, and anything of another tenant is "not found", whichever path
 * the caller used to reach it.
 */
@Component
public class TenantScope {

    private final TenantRepository tenants;

    TenantScope(TenantRepository tenants) {
        this.tenants = tenants;
    }

    public Tenant tenant(AdminPrincipal actor, Operation operation, String tenantId) {
        Access.require(actor, operation, tenantId);
        return tenants.findById(tenantId).orElseThrow(() -> ApiException.notFound("tenant"));
    }
}
