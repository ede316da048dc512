package dev.symbolon.contracts;

import dev.symbolon.contracts.Allowance.Amount;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What an edge asks of the owner of a tenant's quota usage ({@code quota-allowance-request.v1}, key
 * tenantId). The topic is partitioned like {@code usage-recorded.v1}, so the analytics instance that
 * counts a tenant's usage is the one that hears its edges, in order with that usage.
 *
 * @param appId null for the tenant's own quotas
 * @param edgeId the asking edge instance
 * @param kind {@code ASK} for more room, {@code RETURN} to give back what it holds and has not used
 * @param dayStart the day the edge admits in (tenant's time zone)
 * @param monthStart the month the edge admits in
 * @param need for an ask, the least that helps: the demand of the request that did not fit (null on a
 *     return)
 * @param dayUsed everything the edge admitted in the day so far (settled usage and what is in flight,
 *     at its worst case): a return lowers the grant to this
 * @param monthUsed the same for the month
 */
public record AllowanceRequest(
        UUID eventId,
        Instant occurredAt,
        String tenantId,
        int version,
        String appId,
        String edgeId,
        Kind kind,
        Instant dayStart,
        Instant monthStart,
        Amount need,
        Amount dayUsed,
        Amount monthUsed)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    public enum Kind {
        ASK,
        RETURN
    }

    public AllowanceRequest {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(edgeId, "edgeId");
        Objects.requireNonNull(kind, "kind");
        tenantId = EventText.clean(tenantId, EventText.ID);
        appId = EventText.clean(appId, EventText.ID);
        edgeId = EventText.clean(edgeId, EventText.ID);
    }

    /** The scope's key: tenantId, or tenantId/appId. */
    public String key() {
        return appId == null ? tenantId : tenantId + "/" + appId;
    }
}
