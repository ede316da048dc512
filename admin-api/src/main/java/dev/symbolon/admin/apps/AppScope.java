package dev.symbolon.admin.apps;

import dev.symbolon.admin.auth.Access.Operation;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.tenants.Tenant;
import dev.symbolon.admin.tenants.TenantScope;
import dev.symbolon.admin.web.ApiException;
import org.springframework.stereotype.Component;

/**
 * The one place an app is looked up for a caller: the access check runs against the tenant in the
 * path ({@link TenantScope}), and an app of another tenant is "not found", whichever path the caller
 * used to reach it.
 */
@Component
public class AppScope {

    private final TenantScope tenants;
    private final AppRepository apps;

    AppScope(TenantScope tenants, AppRepository apps) {
        this.tenants = tenants;
        this.apps = apps;
    }

    /** The tenant, checked as {@link TenantScope#tenant} does. */
    public Tenant tenant(AdminPrincipal actor, Operation operation, String tenantId) {
        return tenants.tenant(actor, operation, tenantId);
    }

    /** The app, if it exists and belongs to {@code tenantId}; otherwise "not found" either way. */
    public App app(AdminPrincipal actor, Operation operation, String tenantId, String appId) {
        tenants.tenant(actor, operation, tenantId);
        return apps.findById(appId)
                .filter(app -> app.tenantId().equals(tenantId))
                .orElseThrow(() -> ApiException.notFound("app"));
    }
}
