package dev.symbolon.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * What every event on every topic carries. {@code eventId} is the idempotency key: a consumer that
 * sees the same id twice applies it once.
 */
public sealed interface Event
        permits TenantConfigSnapshot,
                KeyLifecycleEvent,
                UsageRecorded,
                QuotaState,
                Notification,
                AuditEvent,
                AdminKeyRevoked,
                PriceList,
                AllowanceRequest,
                Allowance {

    UUID eventId();

    Instant occurredAt();

    String tenantId();

    /** Schema version of the record; changes within one topic version are additive only. */
    int version();
}
