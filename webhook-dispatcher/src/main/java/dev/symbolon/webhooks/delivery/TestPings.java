package dev.symbolon.webhooks.delivery;

import dev.symbolon.contracts.Notification;
import dev.symbolon.webhooks.subscriptions.Endpoints;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** A {@code webhook.test} delivery to one endpoint, signed and retried like any other. */
@Component
public class TestPings {

    private final Endpoints endpoints;
    private final Deliveries deliveries;
    private final DeliveryWorker worker;

    TestPings(Endpoints endpoints, Deliveries deliveries, DeliveryWorker worker) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.worker = worker;
    }

    /** @return the ping's webhook-id, or empty when the tenant has no such endpoint */
    public Optional<String> ping(String tenantId, String endpointId) {
        return endpoints.find(tenantId, endpointId).map(endpoint -> {
            Notification ping = new Notification(
                    UUID.randomUUID(),
                    Instant.now(),
                    tenantId,
                    Notification.CURRENT_VERSION,
                    "webhook.test",
                    Map.of("endpointId", endpointId, "message", "This is a test event from Symbolon."));
            deliveries.enqueue(ping, List.of(endpoint));
            worker.wakeUp();
            return ping.eventId().toString();
        });
    }
}
