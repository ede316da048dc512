package dev.symbolon.admin.tenants;

import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.audit.Changes;
import dev.symbolon.admin.auth.Access;
import dev.symbolon.admin.auth.Access.Operation;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Ids;
import dev.symbolon.admin.web.Page;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tenants. Every method checks {@link Access} against the tenant asked for; every change bumps the
 * tenant's revision and appends its new snapshot to the outbox ({@link TenantChanges}) in the same
 * transaction.
 */
@Service
public class Tenants {

    /** What a tenant's or an app's status may be. */
    public static final List<String> STATUSES = List.of("ACTIVE", "SUSPENDED");

    private final TenantRepository tenants;
    private final TenantScope scope;
    private final TenantChanges changes;
    private final AuditLog audit;
    private final Clock clock = Clock.systemUTC();

    Tenants(TenantRepository tenants, TenantScope scope, TenantChanges changes, AuditLog audit) {
        this.tenants = tenants;
        this.scope = scope;
        this.changes = changes;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    public void requireExists(String tenantId) {
        if (!tenants.existsById(tenantId)) {
            throw ApiException.notFound("tenant");
        }
    }

    @Transactional
    public Tenant.TenantView create(AdminPrincipal actor, String name, String timeZone, String plan) {
        Access.require(actor, Operation.TENANT_CREATE);
        Instant now = clock.instant();
        Tenant tenant = tenants.save(new Tenant(Ids.id("t_"), name, zone(timeZone), plan, now));
        changed(tenant, now);
        audit.record(
                actor,
                "tenant.created",
                tenant.tenantId(),
                tenant.tenantId(),
                Map.of("after.name", name, "after.timeZone", tenant.timeZone(), "after.plan", plan));
        return tenant.view();
    }

    @Transactional(readOnly = true)
    public Tenant.TenantView get(AdminPrincipal actor, String tenantId) {
        return scope.tenant(actor, Operation.TENANT_READ, tenantId).view();
    }

    @Transactional(readOnly = true)
    public Page<Tenant.TenantView> list(AdminPrincipal actor, String cursor, Integer requestedLimit) {
        Access.require(actor, Operation.TENANT_READ);
        int limit = Page.limit(requestedLimit);
        if (!Access.seesAllTenants(actor)) {
            return new Page<>(List.of(get(actor, actor.tenantId())), null);
        }
        return Page.of(
                tenants.findByTenantIdGreaterThanOrderByTenantId(Page.after(cursor), Limit.of(limit + 1)).stream()
                        .map(Tenant::view)
                        .toList(),
                limit,
                Tenant.TenantView::tenantId);
    }

    /** Changes what is given (null fields stay as they are). */
    @Transactional
    public Tenant.TenantView update(
            AdminPrincipal actor, String tenantId, String name, String status, String timeZone, String plan) {
        Tenant tenant = scope.tenant(actor, Operation.TENANT_UPDATE, tenantId);
        Tenant.TenantView before = tenant.view();
        if (name != null) {
            tenant.rename(name);
        }
        if (status != null) {
            tenant.setStatus(status(status));
        }
        if (timeZone != null) {
            tenant.setTimeZone(zone(timeZone));
        }
        if (plan != null) {
            tenant.setPlan(plan);
        }
        changed(tenant, clock.instant());
        Tenant.TenantView after = tenant.view();
        audit.record(
                actor,
                "tenant.updated",
                tenantId,
                tenantId,
                Changes.of()
                        .field("name", before.name(), after.name())
                        .field("status", before.status(), after.status())
                        .field("timeZone", before.timeZone(), after.timeZone())
                        .field("plan", before.plan(), after.plan())
                        .toMap());
        return after;
    }

    private void changed(Tenant tenant, Instant now) {
        changes.changed(tenant, now);
    }

    private static String zone(String timeZone) {
        try {
            return ZoneId.of(timeZone).getId();
        } catch (DateTimeException e) {
            throw ApiException.badRequest("timeZone must be an IANA time zone such as Europe/Berlin");
        }
    }

    /** {@code status} if it is one a tenant or an app may have; otherwise a 400 naming the choices. */
    public static String status(String status) {
        if (!STATUSES.contains(status)) {
            throw ApiException.badRequest("status must be ACTIVE or SUSPENDED");
        }
        return status;
    }
}
