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
class TenantScope {

    private final TenantRepository tenants;
    private final AppRepository apps;

    TenantScope(TenantRepository tenants, AppRepository apps) {
        this.tenants = tenants;
        this.apps = apps;
    }

    Tenant tenant(AdminPrincipal actor, Operation operation, String tenantId) {
        Access.require(actor, operation, tenantId);
        return tenants.findById(tenantId).orElseThrow(() -> ApiException.notFound("tenant"));
    }

    /** The app, if it exists and belongs to {@code tenantId}; otherwise "not found" either way. */
    App app(AdminPrincipal actor, Operation operation, String tenantId, String appId) {
        tenant(actor, operation, tenantId);
        return apps.findById(appId)
                .filter(app -> app.tenantId().equals(tenantId))
                .orElseThrow(() -> ApiException.notFound("app"));
    }
}
