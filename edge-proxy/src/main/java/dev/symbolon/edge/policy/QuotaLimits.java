package dev.symbolon.edge.policy;

import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import java.math.BigDecimal;

/** Daily and monthly quotas of one tenant or one app; a null field is not limited. */
public record QuotaLimits(
        Long requestsPerDay,
        Long requestsPerMonth,
        Long tokensPerDay,
        Long tokensPerMonth,
        BigDecimal costPerDayUsd,
        BigDecimal costPerMonthUsd) {

    public static QuotaLimits of(Policy policy) {
        if (policy == null) {
            return null;
        }
        QuotaLimits limits = new QuotaLimits(
                policy.requestsPerDay(),
                policy.requestsPerMonth(),
                policy.tokensPerDay(),
                policy.tokensPerMonth(),
                policy.costPerDayUsd(),
                policy.costPerMonthUsd());
        return limits.none() ? null : limits;
    }

    boolean none() {
        return requestsPerDay == null
                && requestsPerMonth == null
                && tokensPerDay == null
                && tokensPerMonth == null
                && costPerDayUsd == null
                && costPerMonthUsd == null;
    }
}
