package dev.symbolon.analytics.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The limits of one period, named as the edge names them, and thresholds in exact arithmetic. */
class QuotaLimitsTest {

    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");
    private static final Instant END = Instant.parse("2026-12-02T00:00:00Z");

    @Test
    void a_policy_sets_the_limits_of_its_period_only_requests_first() {
        Policy policy = Policy.builder()
                .requestsPerDay(10L)
                .tokensPerDay(1_000L)
                .costPerDayUsd(new BigDecimal("2.50"))
                .requestsPerMonth(300L)
                .build();
        QuotaState.PeriodUsage usage = new QuotaState.PeriodUsage(START, END, 4, 250, new BigDecimal("0.125"));

        assertThat(QuotaLimits.of(policy, "day", usage))
                .extracting(QuotaLimits.Limit::name)
                .containsExactly("requests-per-day", "tokens-per-day", "cost-per-day");
        assertThat(QuotaLimits.of(policy, "month", usage)).singleElement().satisfies(limit -> {
            assertThat(limit.name()).isEqualTo("requests-per-month");
            assertThat(limit.max()).isEqualByComparingTo("300");
            assertThat(limit.used()).isEqualByComparingTo("4");
        });
        assertThat(QuotaLimits.of(null, "day", usage)).isEmpty();
    }

    @Test
    void a_threshold_is_reached_at_exactly_its_percentage_never_a_rounding_early() {
        QuotaLimits.Limit cost =
                new QuotaLimits.Limit("cost-per-day", new BigDecimal("0.000003"), new BigDecimal("0.0000024"));

        assertThat(cost.reached(80)).isTrue();
        assertThat(cost.reached(81)).isFalse();
        assertThat(new QuotaLimits.Limit("requests-per-day", BigDecimal.valueOf(3), BigDecimal.valueOf(2)).reached(67))
                .isFalse(); // 66.67 %
        assertThat(new QuotaLimits.Limit("requests-per-day", BigDecimal.valueOf(3), BigDecimal.valueOf(3)).reached(100))
                .isTrue();
    }
}
