package dev.symbolon.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Something to tell a tenant's systems ({@code notification.v1}, key tenantId). The dispatcher turns
 * one notification into one webhook per subscribed endpoint; {@code eventId} becomes the
 * {@code webhook-id}, so receivers can de-duplicate retries.
 *
 * @param type dotted event type, e.g. {@code quota.threshold_reached} or {@code key.revoked}
 * @param data the payload's {@code data} object; never key material
 */
public record Notification(
        UUID eventId, Instant occurredAt, String tenantId, int version, String type, Map<String, Object> data)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    /** The event types tenants can subscribe webhook endpoints to. */
    public static final List<String> TYPES = List.of(
            "quota.threshold_reached",
            "quota.exhausted",
            "quota.period_started",
            "key.created",
            "key.rotated",
            "key.revoked",
            "key.expiring",
            "credential.created",
            "credential.revoked",
            "upstream.error_rate_high",
            "key.cooled_down",
            "webhook.test");

    public Notification {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(type, "type");
        tenantId = EventText.clean(tenantId, EventText.ID);
        type = EventText.clean(type, EventText.ID);
        data = data == null ? Map.of() : cleanData(data);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cleanData(Map<String, Object> data) {
        return java.util.Collections.unmodifiableMap((Map<String, Object>) EventText.cleanJson(data, EventText.VALUE));
    }
}
