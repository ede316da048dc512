package dev.symbolon.analytics.quota;

import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.TenantConfigSnapshot;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The request, token and cost limits a policy sets for one period, each with its usage: what the
 * quota state says is exhausted and what threshold notifications measure, named as the edge names
 * them ({@code requests-per-day}, {@code cost-per-month}, …).
 */
final class QuotaLimits {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private QuotaLimits() {}

    /** One limit and its usage, exact. */
    record Limit(String name, BigDecimal max, BigDecimal used) {

        /** {@code used / max >= percent / 100}, in exact arithmetic. */
        boolean reached(int percent) {
            return used.multiply(HUNDRED).compareTo(max.multiply(BigDecimal.valueOf(percent))) >= 0;
        }
    }

    /** The limits the policy sets for {@code period} ({@code day} or {@code month}), requests first. */
    static List<Limit> of(TenantConfigSnapshot.Policy policy, String period, QuotaState.PeriodUsage usage) {
        List<Limit> limits = new ArrayList<>(3);
        if (policy == null) {
            return limits;
        }
        boolean day = period.equals("day");
        add(
                limits,
                QuotaPeriods.limitName("requests", period),
                day ? policy.requestsPerDay() : policy.requestsPerMonth(),
                usage.requests());
        add(
                limits,
                QuotaPeriods.limitName("tokens", period),
                day ? policy.tokensPerDay() : policy.tokensPerMonth(),
                usage.tokens());
        BigDecimal cost = day ? policy.costPerDayUsd() : policy.costPerMonthUsd();
        if (cost != null) {
            limits.add(new Limit(QuotaPeriods.limitName("cost", period), cost, usage.costUsd()));
        }
        return limits;
    }

    private static void add(List<Limit> limits, String name, Long max, long used) {
        if (max != null) {
            limits.add(new Limit(name, BigDecimal.valueOf(max), BigDecimal.valueOf(used)));
        }
    }
}
