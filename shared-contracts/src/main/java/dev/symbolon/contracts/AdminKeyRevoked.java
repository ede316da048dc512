package dev.symbolon.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An admin key ({@code sym_admin_…}) was revoked ({@code admin-key-revocations.v1}, compacted, key
 * adminKeyId). Every service that accepts admin JWTs refuses, from the moment it reads this, each JWT
 * whose {@code akid} claim names the key, although the JWT itself has not expired.
 *
 * @param tenantId the tenant a tenant-admin key was bound to; {@link KeyLifecycleEvent#PLATFORM_TENANT}
 *     for operator roles
 */
public record AdminKeyRevoked(UUID eventId, Instant occurredAt, String tenantId, int version, String adminKeyId)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    public AdminKeyRevoked {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(adminKeyId, "adminKeyId");
    }
}
