package dev.symbolon.admin.tenants;

import dev.symbolon.admin.outbox.Outbox;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Builds a tenant's whole configuration as the edge needs it and appends it to the outbox, in the
 * transaction of the change. Only hashes of credentials go in; revoked credentials are left out.
 */
@Component
class TenantSnapshots {

    private final AppRepository apps;
    private final AppCredentialRepository credentials;
    private final Outbox outbox;

    TenantSnapshots(AppRepository apps, AppCredentialRepository credentials, Outbox outbox) {
        this.apps = apps;
        this.credentials = credentials;
        this.outbox = outbox;
    }

    void publish(Tenant tenant, Instant now) {
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
                        null,
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
                null,
                new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                appList,
                List.of());
        outbox.append(Topics.TENANT_CONFIG, tenant.tenantId(), EventJson.encode(snapshot));
    }
}
