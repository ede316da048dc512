package dev.symbolon.contracts;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One auditable operation ({@code audit.v1}, key tenantId), appended by admin-api to its
 * hash-chained log. Secrets are redacted before they get here.
 *
 * @param actor who did it: an admin subject, an app id or a service name
 * @param actorRole the actor's role, e.g. {@code security-officer} or {@code service}
 * @param action dotted verb, e.g. {@code key.created}
 * @param target what it was done to, e.g. a key id
 * @param service the service that performed the operation
 * @param details redacted before/after values and other context
 */
public record AuditEvent(
        UUID eventId,
        Instant occurredAt,
        String tenantId,
        int version,
        String actor,
        String actorRole,
        String action,
        String target,
        String service,
        String sourceIp,
        String requestId,
        Map<String, String> details)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    public AuditEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(action, "action");
        tenantId = EventText.clean(tenantId, EventText.ID);
        actor = EventText.clean(actor, EventText.NAME);
        actorRole = EventText.clean(actorRole, EventText.NAME);
        action = EventText.clean(action, EventText.NAME);
        target = EventText.clean(target, EventText.TEXT);
        service = EventText.clean(service, EventText.NAME);
        sourceIp = EventText.clean(sourceIp, EventText.NAME);
        requestId = EventText.clean(requestId, EventText.ID);
        details = details == null ? Map.of() : Map.copyOf(EventText.cleanMap(details, EventText.VALUE));
    }
}
