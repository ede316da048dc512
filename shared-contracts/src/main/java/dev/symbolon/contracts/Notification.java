package dev.symbolon.contracts;

import java.time.Instant;
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

    public Notification {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(type, "type");
        data = data == null ? Map.of() : Map.copyOf(data);
    }
}
