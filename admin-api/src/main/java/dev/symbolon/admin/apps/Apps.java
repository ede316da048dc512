package dev.symbolon.admin.apps;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.audit.Changes;
import dev.symbolon.admin.auth.Access;
import dev.symbolon.admin.auth.Access.Operation;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.tenants.Tenant;
import dev.symbolon.admin.tenants.TenantChanges;
import dev.symbolon.admin.tenants.TenantRepository;
import dev.symbolon.admin.tenants.Tenants;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Ids;
import dev.symbolon.admin.web.Page;
import dev.symbolon.contracts.CredentialHasher;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A tenant's apps and the apps' credentials. Every method checks {@link Access} against the tenant
 * the object really belongs to ({@link AppScope}); every change bumps the tenant's revision and
 * appends its new snapshot to the outbox ({@link TenantChanges}) in the same transaction.
 */
@Service
public class Apps {

    static final String CREDENTIAL_PREFIX = "sym_live_";

    private final TenantRepository tenants;
    private final AppScope scope;
    private final AppRepository apps;
    private final AppCredentialRepository credentials;
    private final TenantChanges changes;
    private final AuditLog audit;
    private final CredentialHasher hasher;
    private final Clock clock = Clock.systemUTC();

    Apps(
            TenantRepository tenants,
            AppScope scope,
            AppRepository apps,
            AppCredentialRepository credentials,
            TenantChanges changes,
            AuditLog audit,
            AdminProperties properties) {
        this.tenants = tenants;
        this.scope = scope;
        this.apps = apps;
        this.credentials = credentials;
        this.changes = changes;
        this.audit = audit;
        this.hasher = new CredentialHasher(properties.credentialPepper());
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
        app.update(name, status == null ? null : Tenants.status(status), now);
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
        changes.changed(tenant, now);
    }

    /** A new credential: {@code key} is shown once and never again. */
    public record IssuedCredential(AppCredential.CredentialView credential, String key) {
        @Override
        public String toString() {
            return "IssuedCredential[" + credential.credentialId() + "]";
        }
    }
}
