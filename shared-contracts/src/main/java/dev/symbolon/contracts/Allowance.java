package dev.symbolon.contracts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What the owner of a tenant's quota usage grants one edge ({@code quota-allowance.v1}, key edgeId):
 * how much of a tenant's (or app's) day and month quotas the edge may admit on its own, until
 * {@code expiresAt}. The owner never grants more in all than remains: the quota, less what it has
 * counted, less what every edge holds and has not spent yet.
 *
 * <p>Grants are cumulative per edge and period: {@code granted} is everything this edge may have
 * admitted in the period, so a duplicate or a late grant changes nothing; {@code sequence} orders the
 * owner's answers to one edge (a return lowers the grant to what was used).
 *
 * @param appId null for the tenant's own quotas
 * @param edgeId the edge instance the grant is for (a new id on every start)
 * @param inReplyTo the {@link AllowanceRequest} this answers
 * @param day the day's grant, null when the policy sets no day quota
 * @param month the month's grant, null when the policy sets no month quota
 * @param expiresAt when the edge must stop admitting against this grant unless renewed
 */
public record Allowance(
        UUID eventId,
        Instant occurredAt,
        String tenantId,
        int version,
        String appId,
        String edgeId,
        UUID inReplyTo,
        Grant day,
        Grant month,
        Instant expiresAt)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    public Allowance {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(edgeId, "edgeId");
    }

    /** The scope's key: tenantId, or tenantId/appId. */
    public String key() {
        return appId == null ? tenantId : tenantId + "/" + appId;
    }

    /**
     * One period's grant.
     *
     * @param periodStart the period, as the tenant's time zone starts it
     * @param sequence increases with every answer for this edge, scope and period
     * @param granted everything the edge may admit in the period (cumulative)
     * @param exhausted true when nothing more remains for anyone: the edge refuses past its grant
     *     without asking again
     */
    public record Grant(Instant periodStart, long sequence, Amount granted, boolean exhausted) {}

    /**
     * An amount of each quota kind; a null component is a kind the policy does not limit.
     *
     * @param costUsd exact decimal dollars
     */
    public record Amount(Long requests, Long tokens, BigDecimal costUsd) {
        public static final Amount NONE = new Amount(0L, 0L, BigDecimal.ZERO);
    }
}
