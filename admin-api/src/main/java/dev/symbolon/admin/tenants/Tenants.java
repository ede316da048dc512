package dev.symbolon.admin.tenants;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.audit.Changes;
import dev.symbolon.admin.auth.Access;
import dev.symbolon.admin.auth.Access.Operation;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Ids;
import dev.symbolon.admin.web.Page;
import dev.symbolon.contracts.CredentialHasher;
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
 * Tenants, their apps and the apps' credentials. Every method checks {@link Access} against the tenant
 * the object really belongs to; every change bumps the tenant's revision and appends its new
 * snapshot to the outbox in the same transaction.
 */
@Service
public class Tenants {

    static final String CREDENTIAL_PREFIX = "sym_live_";
    static final List<String> STATUSES = List.of("ACTIVE", "SUSPENDED");

    private final TenantRepository tenants;
    private final TenantScope scope;
    private final AppRepository apps;
    private final AppCredentialRepository credentials;
    private final TenantSnapshots snapshots;
    private final AuditLog audit;
    private final CredentialHasher hasher;
    private final Clock clock = Clock.systemUTC();

    Tenants(
            TenantRepository tenants,
            TenantScope scope,
            AppRepository apps,
            AppCredentialRepository credentials,
            TenantSnapshots snapshots,
            AuditLog audit,
            AdminProperties properties) {
        this.tenants = tenants;
        this.scope = scope;
        this.apps = apps;
        this.credentials = credentials;
        this.snapshots = snapshots;
        this.audit = audit;
        this.hasher = new CredentialHasher(properties.credentialPepper());
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

    @Transactional
    public App.AppView createApp(AdminPrincipal actor, String tenantId, String name) {
        Tenant tenant = scope.tenant(actor, Operation.APP_WRITE, tenantId);
        Instant now = clock.instant();
        App app = apps.save(new App(Ids.id("app_"), tenantId, name, now));
        changed(tenant, now);
        audit.record(actor, "app.created", tenantId, app.appId(), Map.of("after.name", name));
        return app.view();
    }

    @Transactional(readOnly = true)
    public App.AppView getApp(AdminPrincipal actor, String tenantId, String appId) {
        return scope.app(actor, Operation.APP_READ, tenantId, appId).view();
    }

    @Transactional(readOnly = true)
    public Page<App.AppView> listApps(AdminPrincipal actor, String tenantId, String cursor, Integer requestedLimit) {
        scope.tenant(actor, Operation.APP_READ, tenantId);
        int limit = Page.limit(requestedLimit);
        return Page.of(
                apps
                        .findByTenantIdAndAppIdGreaterThanOrderByAppId(
                                tenantId, Page.after(cursor), Limit.of(limit + 1))
                        .stream()
                        .map(App::view)
                        .toList(),
                limit,
                App.AppView::appId);
    }

    @Transactional
    public App.AppView updateApp(AdminPrincipal actor, String tenantId, String appId, String name, String status) {
        App app = scope.app(actor, Operation.APP_WRITE, tenantId, appId);
        App.AppView before = app.view();
        Instant now = clock.instant();
        app.update(name, status == null ? null : status(status), now);
        changed(tenants.getReferenceById(tenantId), now);
        App.AppView after = app.view();
        audit.record(
                actor,
                "app.updated",
                tenantId,
                appId,
                Changes.of()
                        .field("name", before.name(), after.name())
                        .field("status", before.status(), after.status())
                        .toMap());
        return after;
    }

    /** Issues a new credential; the returned key is shown once and stored only as its hash. */
    @Transactional
    public IssuedCredential issueCredential(AdminPrincipal actor, String tenantId, String appId, Instant expiresAt) {
        App app = scope.app(actor, Operation.CREDENTIAL_ISSUE, tenantId, appId);
        Instant now = clock.instant();
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw ApiException.badRequest("expiresAt must be in the future");
        }
        String key = Ids.secret(CREDENTIAL_PREFIX);
        AppCredential credential = credentials.save(new AppCredential(
                Ids.id("cred_"),
                app.appId(),
                tenantId,
                hasher.hash(key),
                key.substring(0, CREDENTIAL_PREFIX.length() + 4),
                expiresAt,
                now));
        changed(tenants.getReferenceById(tenantId), now);
        audit.record(
                actor,
                "credential.issued",
                tenantId,
                credential.credentialId(),
                Changes.of()
                        .put("appId", appId)
                        .put("displayPrefix", credential.view().displayPrefix())
                        .put("expiresAt", expiresAt == null ? "never" : expiresAt.toString())
                        .toMap());
        return new IssuedCredential(credential.view(), key);
    }

    @Transactional(readOnly = true)
    public Page<AppCredential.CredentialView> listCredentials(
            AdminPrincipal actor, String tenantId, String appId, String cursor, Integer requestedLimit) {
        scope.app(actor, Operation.CREDENTIAL_READ, tenantId, appId);
        int limit = Page.limit(requestedLimit);
        return Page.of(
                credentials
                        .findByAppIdAndCredentialIdGreaterThanOrderByCredentialId(
                                appId, Page.after(cursor), Limit.of(limit + 1))
                        .stream()
                        .map(AppCredential::view)
                        .toList(),
                limit,
                AppCredential.CredentialView::credentialId);
    }

    @Transactional
    public AppCredential.CredentialView revokeCredential(
            AdminPrincipal actor, String tenantId, String appId, String credentialId) {
        scope.app(actor, Operation.CREDENTIAL_REVOKE, tenantId, appId);
        AppCredential credential = credentials
                .findById(credentialId)
                .filter(c -> c.appId().equals(appId))
                .orElseThrow(() -> ApiException.notFound("credential"));
        if (credential.active()) {
            Instant now = clock.instant();
            credential.revoke(now);
            changed(tenants.getReferenceById(tenantId), now);
            audit.record(actor, "credential.revoked", tenantId, credentialId, Map.of("appId", appId));
        }
        return credential.view();
    }

    private void changed(Tenant tenant, Instant now) {
        snapshots.changed(tenant, now);
    }

    private static String zone(String timeZone) {
        try {
            return ZoneId.of(timeZone).getId();
        } catch (DateTimeException e) {
            throw ApiException.badRequest("timeZone must be an IANA time zone such as Europe/Berlin");
        }
    }

    private static String status(String status) {
        if (!STATUSES.contains(status)) {
            throw ApiException.badRequest("status must be ACTIVE or SUSPENDED");
        }
        return status;
    }

    /** A new credential: {@code key} is shown once and never again. */
    public record IssuedCredential(AppCredential.CredentialView credential, String key) {
        @Override
        public String toString() {
            return "IssuedCredential[" + credential.credentialId() + "]";
        }
    }
}
