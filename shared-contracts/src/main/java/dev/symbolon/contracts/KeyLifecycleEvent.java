package dev.symbolon.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A provider key changed ({@code key-lifecycle.v1}, key keyId). Edges evict their cached copy on
 * any of these; never carries key material.
 *
 * @param tenantId the owning tenant; {@link #PLATFORM_TENANT} for operator-owned server keys
 * @param fingerprint a non-secret fingerprint of the key, for display and audit
 * @param graceUntil for {@code ROTATED}: until when the previous version keeps working
 */
public record KeyLifecycleEvent(
        UUID eventId,
        Instant occurredAt,
        String tenantId,
        int version,
        String keyId,
        String provider,
        KeyKind kind,
        int keyVersion,
        Action action,
        String fingerprint,
        Instant graceUntil)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    /** Tenant id used for keys that belong to the operator rather than to a tenant. */
    public static final String PLATFORM_TENANT = "_platform";

    public KeyLifecycleEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(action, "action");
    }

    public enum KeyKind {
        SERVER,
        MANAGED,
        SPLIT
    }

    public enum Action {
        CREATED,
        ROTATED,
        REVOKED,
        EXPIRING
    }
}
