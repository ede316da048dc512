package dev.symbolon.contracts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Current usage of a tenant, or of one of its apps, against its quotas ({@code quota-state.v1},
 * compacted, key tenantId or tenantId/appId).
 *
 * @param appId null for the tenant-wide state
 * @param day usage in the current calendar day of the tenant's time zone
 * @param month usage in the current calendar month of the tenant's time zone
 * @param blocked true when any quota is exhausted
 * @param blockedReason which limit is exhausted, e.g. {@code cost-per-month}; null when not blocked
 * @param blockedUntil start of the period that frees the quota; null when not blocked
 * @param usagePartition the {@code usage-recorded.v1} partition this tenant's usage is read from
 * @param usageOffset the last offset of that partition counted in {@code day} and {@code month}: an
 *     edge drops its own not-yet-counted usage up to here (null on states that count nothing yet)
 */
public record QuotaState(
        UUID eventId,
        Instant occurredAt,
        String tenantId,
        int version,
        String appId,
        PeriodUsage day,
        PeriodUsage month,
        boolean blocked,
        String blockedReason,
        Instant blockedUntil,
        Integer usagePartition,
        Long usageOffset)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    public QuotaState {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
    }

    /** The Kafka key of this state: tenantId, or tenantId/appId for an app. */
    public String key() {
        return appId == null ? tenantId : tenantId + "/" + appId;
    }

    /**
     * Usage within one period.
     *
     * @param costUsd exact decimal dollars
     */
    public record PeriodUsage(Instant start, Instant end, long requests, long tokens, BigDecimal costUsd) {}
}
