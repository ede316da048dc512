package dev.symbolon.webhooks.subscriptions;

import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.support.kafka.TenantConfigView;
import java.util.List;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.stereotype.Component;

/**
 * Every tenant's webhook endpoints and subscriptions, read from {@code tenant-config.v1} (compacted)
 * from the beginning into memory. Notifications are consumed only once this has caught up, so none is
 * fanned out against an incomplete list.
 */
@Component
public class Endpoints extends TenantConfigView {

    Endpoints(KafkaProperties kafka, KafkaListenerEndpointRegistry listeners) {
        super("dispatcher", kafka.buildConsumerProperties(), listeners, "notifications are consumed");
    }

    /** The active endpoints of a tenant subscribed to an event type. */
    public List<TenantConfigSnapshot.WebhookEndpoint> subscribed(String tenantId, String type) {
        TenantConfigSnapshot tenant = tenant(tenantId);
        if (tenant == null || tenant.status() != TenantConfigSnapshot.Status.ACTIVE) {
            return List.of();
        }
        return tenant.webhooks().stream()
                .filter(TenantConfigSnapshot.WebhookEndpoint::active)
                .filter(e -> e.eventTypes().contains(type) || e.eventTypes().contains("*"))
                .toList();
    }

    /** One endpoint of a tenant, whatever it subscribes to (for test pings). */
    public java.util.Optional<TenantConfigSnapshot.WebhookEndpoint> find(String tenantId, String endpointId) {
        TenantConfigSnapshot tenant = tenant(tenantId);
        return tenant == null
                ? java.util.Optional.empty()
                : tenant.webhooks().stream()
                        .filter(e -> e.endpointId().equals(endpointId))
                        .findFirst();
    }
}
