package dev.symbolon.analytics.quota;

import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.support.kafka.TenantConfigView;
import java.time.ZoneId;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.stereotype.Component;

/**
 * Every tenant's time zone and quota policy, read from {@code tenant-config.v1} (compacted) from the
 * beginning into memory. Usage ingest starts only once this has caught up, so no fact is ever
 * assigned to a period in the wrong time zone.
 */
@Component
public class TenantDirectory extends TenantConfigView {

    TenantDirectory(KafkaProperties kafka, KafkaListenerEndpointRegistry listeners) {
        super("analytics", kafka.buildConsumerProperties(), listeners, "usage ingest starts");
    }

    /** The tenant's time zone; UTC for a tenant no snapshot named (or an invalid zone). */
    public ZoneId zone(String tenantId) {
        TenantConfigSnapshot tenant = tenant(tenantId);
        return QuotaPeriods.zone(tenant == null ? null : tenant.timeZone());
    }

    /** The tenant's policy (null when none or unknown). */
    public TenantConfigSnapshot.Policy tenantPolicy(String tenantId) {
        TenantConfigSnapshot tenant = tenant(tenantId);
        return tenant == null ? null : tenant.policy();
    }

    /** An app's own policy (null when none or unknown). */
    public TenantConfigSnapshot.Policy appPolicy(String tenantId, String appId) {
        TenantConfigSnapshot tenant = tenant(tenantId);
        if (tenant == null || appId == null) {
            return null;
        }
        return tenant.apps().stream()
                .filter(app -> app.appId().equals(appId))
                .findFirst()
                .map(TenantConfigSnapshot.App::policy)
                .orElse(null);
    }
}
