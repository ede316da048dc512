package dev.symbolon.admin.snapshots;

import dev.symbolon.admin.apps.AppCredential;
import dev.symbolon.admin.apps.AppCredentialRepository;
import dev.symbolon.admin.apps.AppRepository;
import dev.symbolon.admin.policies.IpRuleStore;
import dev.symbolon.admin.policies.PolicyStore;
import dev.symbolon.admin.tenants.Tenant;
import dev.symbolon.admin.tenants.TenantChanges;
import dev.symbolon.admin.tenants.TenantRepository;
import dev.symbolon.admin.webhooks.WebhookStore;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.support.outbox.Outbox;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Builds a tenant's whole configuration as the edge needs it and appends it to the outbox, in the
 * transaction of the change; the same for the platform-wide configuration (global IP rules, published
 * as tenant {@code _platform}). Only hashes of credentials go in; revoked credentials are left out; revoked app tokens go in (by id)
 * until they expire.
 */
@Component
class TenantSnapshots implements TenantChanges {

    /** The key under which the platform-wide configuration travels on {@code tenant-config.v1}. */
    static final String PLATFORM = KeyLifecycleEvent.PLATFORM_TENANT;

    private final TenantRepository tenants;
    private final AppRepository apps;
    private final AppCredentialRepository credentials;
    private final PolicyStore policies;
    private final IpRuleStore ipRules;
    private final WebhookStore webhooks;
    private final Outbox outbox;
    private final JdbcClient jdbc;

    TenantSnapshots(
            TenantRepository tenants,
            AppRepository apps,
            AppCredentialRepository credentials,
            PolicyStore policies,
            IpRuleStore ipRules,
            WebhookStore webhooks,
            Outbox outbox,
            JdbcClient jdbc) {
        this.tenants = tenants;
        this.apps = apps;
        this.credentials = credentials;
        this.policies = policies;
        this.ipRules = ipRules;
        this.webhooks = webhooks;
        this.outbox = outbox;
        this.jdbc = jdbc;
    }

    @Override
    public void changed(Tenant tenant, Instant now) {
        tenant.touch(now);
        tenants.flush();
        apps.flush();
        credentials.flush();
        publish(tenant, now);
    }

    @Override
    public void platformChanged(Instant now) {
        long revision = ipRules.nextPlatformRevision();
        TenantConfigSnapshot snapshot = new TenantConfigSnapshot(
                UUID.randomUUID(),
                now,
                PLATFORM,
                TenantConfigSnapshot.CURRENT_VERSION,
                revision,
                TenantConfigSnapshot.Status.ACTIVE,
                "UTC",
                null,
                ipRules.rules(null),
                List.of(),
                List.of(),
                List.of());
        outbox.append(Topics.TENANT_CONFIG, PLATFORM, EventJson.encode(snapshot));
    }

    private void publish(Tenant tenant, Instant now) {
        Map<String, List<TenantConfigSnapshot.Credential>> byApp =
                credentials.findByTenantIdAndStatusOrderByCredentialId(tenant.tenantId(), "ACTIVE").stream()
                        .collect(Collectors.groupingBy(
                                AppCredential::appId,
                                Collectors.mapping(
                                        c -> new TenantConfigSnapshot.Credential(
                                                c.credentialId(),
                                                c.hash(),
                                                TenantConfigSnapshot.Status.ACTIVE,
                                                c.expiresAt()),
                                        Collectors.toList())));
        List<TenantConfigSnapshot.App> appList = apps.findByTenantIdOrderByAppId(tenant.tenantId()).stream()
                .map(app -> new TenantConfigSnapshot.App(
                        app.appId(),
                        app.name(),
                        TenantConfigSnapshot.Status.valueOf(app.status()),
                        policies.ofApp(app.appId()).orElse(null),
                        byApp.getOrDefault(app.appId(), List.of())))
                .toList();
        TenantConfigSnapshot snapshot = new TenantConfigSnapshot(
                UUID.randomUUID(),
                now,
                tenant.tenantId(),
                TenantConfigSnapshot.CURRENT_VERSION,
                tenant.revision(),
                TenantConfigSnapshot.Status.valueOf(tenant.status()),
                tenant.timeZone(),
                policies.ofTenant(tenant.tenantId()).orElse(null),
                ipRules.rules(tenant.tenantId()),
                appList,
                webhooks.forSnapshot(tenant.tenantId()),
                revokedTokens(tenant.tenantId(), now));
        outbox.append(Topics.TENANT_CONFIG, tenant.tenantId(), EventJson.encode(snapshot));
    }

    /** Revoked app tokens that have not expired yet (see {@code apps.TokenRevocations}). */
    private List<TenantConfigSnapshot.RevokedToken> revokedTokens(String tenantId, Instant now) {
        return jdbc.sql("select token_id, app_id, expires_at from revoked_app_token"
                        + " where tenant_id = :t and expires_at > :now order by token_id")
                .param("t", tenantId)
                .param("now", Timestamp.from(now))
                .query((rs, n) -> new TenantConfigSnapshot.RevokedToken(
                        rs.getString("token_id"),
                        rs.getString("app_id"),
                        rs.getTimestamp("expires_at").toInstant()))
                .list();
    }
}
