package dev.symbolon.edge.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.contracts.UsageRecorded.Outcome;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.policy.EffectivePolicy;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class QuotasTest {

    static final AppIdentity CALLER = new AppIdentity("t_1", "app_1");

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    final Quotas quotas = new Quotas(clock);
    long offset = 100;

    @Test
    void a_daily_request_quota_admits_exactly_its_limit_in_flight_or_finished() {
        EffectivePolicy policy = EffectivePolicy.of(requestsPerDay(3), null, null);

        Quotas.Reservation first = admitted(policy, 0);
        admitted(policy, 0);
        settle(first, Outcome.SUCCESS, 10);
        admitted(policy, 0);

        Quotas.Refusal refusal = quotas.reserve(CALLER, policy, demand(0)).refusal();
        assertThat(refusal.limit()).isEqualTo("requests-per-day (tenant)");
        assertThat(refusal.retryAfterSeconds()).isEqualTo(14 * 3600 + 1);
    }

    @Test
    void refused_requests_give_their_reservation_back() {
        EffectivePolicy policy = EffectivePolicy.of(requestsPerDay(1), null, null);

        settle(admitted(policy, 0), Outcome.REFUSED, 0);

        assertThat(quotas.reserve(CALLER, policy, demand(0)).refusal()).isNull();
    }

    @Test
    void usage_counted_by_analytics_replaces_the_local_count_without_counting_twice() {
        EffectivePolicy policy = EffectivePolicy.of(requestsPerDay(5), null, null);
        UUID a = settle(admitted(policy, 0), Outcome.SUCCESS, 1);
        UUID b = settle(admitted(policy, 0), Outcome.SUCCESS, 1);
        quotas.published(a, 0, 7);
        quotas.published(b, 0, 8);

        // Analytics has counted up to offset 7: event a is in its 2 requests (one from another edge), b not yet.
        quotas.apply(state(2, 0, "0", 7L));
        assertThat(admitsHowMany(policy)).isEqualTo(5 - 2 - 1);
    }

    @Test
    void an_event_published_after_the_state_that_covers_it_is_not_counted_again() {
        EffectivePolicy policy = EffectivePolicy.of(requestsPerDay(3), null, null);
        UUID a = settle(admitted(policy, 0), Outcome.SUCCESS, 1);

        quotas.apply(state(1, 0, "0", 9L));
        quotas.published(a, 0, 9);

        assertThat(admitsHowMany(policy)).isEqualTo(2);
    }

    @Test
    void an_older_state_does_not_undo_a_newer_one() {
        EffectivePolicy policy = EffectivePolicy.of(requestsPerDay(10), null, null);

        quotas.apply(state(6, 0, "0", 20L));
        quotas.apply(state(2, 0, "0", 10L));

        assertThat(admitsHowMany(policy)).isEqualTo(4);
    }

    @Test
    void tokens_in_flight_are_reserved_and_replaced_by_the_real_count() {
        EffectivePolicy policy =
                EffectivePolicy.of(Policy.builder().tokensPerDay(1000L).build(), null, null);

        Quotas.Reservation big = admitted(policy, 900);
        admitted(policy, 100);
        assertThat(quotas.reserve(CALLER, policy, demand(1)).refusal().limit()).isEqualTo("tokens-per-day (tenant)");

        settle(big, Outcome.SUCCESS, 50); // used 50 of the 900 it might have
        assertThat(quotas.reserve(CALLER, policy, demand(1)).refusal()).isNull();
    }

    @Test
    void a_spent_cost_quota_closes_the_tenant_and_a_raised_limit_reopens_it() {
        quotas.apply(state(3, 0, "10.000001", 1L));

        assertThat(quotas.reserve(CALLER, EffectivePolicy.of(costPerDay("10.000001"), null, null), demand(0))
                        .refusal()
                        .limit())
                .isEqualTo("cost-per-day (tenant)");
        assertThat(quotas.reserve(CALLER, EffectivePolicy.of(costPerDay("10.000002"), null, null), demand(0))
                        .refusal())
                .isNull();
    }

    @Test
    void a_new_day_in_the_tenants_time_zone_frees_a_daily_quota() {
        String zone = "Asia/Tokyo"; // 2026-11-23T10:00Z is 19:00 there; the day ends at 15:00Z
        EffectivePolicy policy = EffectivePolicy.of(requestsPerDay(1), null, null, zone);
        admitted(policy, 0);

        Quotas.Refusal refusal = quotas.reserve(CALLER, policy, demand(0)).refusal();
        assertThat(refusal.retryAfterSeconds()).isEqualTo(5 * 3600 + 1);

        clock.now = Instant.parse("2026-11-23T15:00:00Z");
        Quotas.Reservation next = quotas.reserve(CALLER, policy, demand(0)).reservation();
        assertThat(next).isNotNull();
        assertThat(quotas.reserve(CALLER, policy, demand(0)).refusal()).isNotNull();
    }

    @Test
    void yesterdays_analytics_state_does_not_count_today() {
        EffectivePolicy policy = EffectivePolicy.of(requestsPerDay(2), null, null);
        quotas.apply(state(2, 0, "0", 5L));
        assertThat(quotas.reserve(CALLER, policy, demand(0)).refusal()).isNotNull();

        clock.now = Instant.parse("2026-11-24T00:00:01Z");
        assertThat(admitsHowMany(policy)).isEqualTo(2);
    }

    @Test
    void an_app_quota_applies_to_the_app_and_the_tenant_quota_to_all_its_apps() {
        EffectivePolicy app1 = EffectivePolicy.of(requestsPerDay(3), requestsPerDay(1), null);
        EffectivePolicy app2 = EffectivePolicy.of(requestsPerDay(3), null, null);
        AppIdentity other = new AppIdentity("t_1", "app_2");

        assertThat(quotas.reserve(CALLER, app1, demand(0)).reservation()).isNotNull();
        assertThat(quotas.reserve(CALLER, app1, demand(0)).refusal().limit()).isEqualTo("requests-per-day (app)");
        assertThat(quotas.reserve(other, app2, demand(0)).reservation()).isNotNull();
        assertThat(quotas.reserve(other, app2, demand(0)).reservation()).isNotNull();
        assertThat(quotas.reserve(other, app2, demand(0)).refusal().limit()).isEqualTo("requests-per-day (tenant)");
    }

    @Test
    void a_monthly_quota_counts_across_days() {
        EffectivePolicy policy =
                EffectivePolicy.of(Policy.builder().requestsPerMonth(2L).build(), null, null);
        settle(admitted(policy, 0), Outcome.SUCCESS, 0);
        clock.now = Instant.parse("2026-11-24T10:00:00Z");
        settle(admitted(policy, 0), Outcome.SUCCESS, 0);

        assertThat(quotas.reserve(CALLER, policy, demand(0)).refusal().limit())
                .isEqualTo("requests-per-month (tenant)");
        clock.now = Instant.parse("2026-12-01T00:00:00Z");
        assertThat(quotas.reserve(CALLER, policy, demand(0)).refusal()).isNull();
    }

    private static Quotas.Demand demand(long tokens) {
        return new Quotas.Demand(tokens, 0, null);
    }

    private static final PriceCard PRICE = new PriceCard(
            "groq",
            "m",
            Instant.parse("2025-01-01T00:00:00Z"),
            PriceCard.Rates.of(new BigDecimal("1"), null, new BigDecimal("2")),
            null,
            null,
            null);

    private static Policy costPerDayClamped(String usd, String overQuota) {
        return Policy.builder()
                .tokensPerDay(1000L)
                .costPerDayUsd(new BigDecimal(usd))
                .overQuota(overQuota)
                .build();
    }

    @Test
    void a_request_whose_output_cap_cannot_fit_the_token_quota_is_refused_or_clamped_to_what_fits() {
        Quotas.Demand huge = new Quotas.Demand(100, 100_000_000, null);

        Quotas.Admission refused =
                quotas.reserve(CALLER, EffectivePolicy.of(costPerDayClamped("100", null), null, null), huge);
        assertThat(refused.refusal().limit()).isEqualTo("tokens-per-day (tenant)");

        Quotas.Admission clamped =
                quotas.reserve(CALLER, EffectivePolicy.of(costPerDayClamped("100", Policy.CLAMP), null, null), huge);
        assertThat(clamped.refusal()).isNull();
        assertThat(clamped.outputCap()).isEqualTo(900);
        // the whole day is now reserved: the next one does not fit even clamped
        assertThat(quotas.reserve(
                                CALLER,
                                EffectivePolicy.of(costPerDayClamped("100", Policy.CLAMP), null, null),
                                new Quotas.Demand(1, 10, null))
                        .refusal()
                        .limit())
                .isEqualTo("tokens-per-day (tenant)");
    }

    @Test
    void a_cost_quota_reserves_each_requests_worst_case_and_settles_to_what_it_cost() {
        EffectivePolicy policy = EffectivePolicy.of(costPerDayClamped("0.0002", null), null, null);
        Quotas.Demand demand = new Quotas.Demand(25, 2, PRICE); // worst case 25×1 + 2×2 = 29 µ$

        java.util.List<Quotas.Reservation> held = new java.util.ArrayList<>();
        Quotas.Admission admission;
        while ((admission = quotas.reserve(CALLER, policy, demand)).refusal() == null) {
            held.add(admission.reservation());
        }

        assertThat(held).hasSize(6); // 6 × 29 = 174 µ$; a seventh would be 203
        assertThat(admission.refusal().limit()).isEqualTo("cost-per-day (tenant)");
        settleTokens(held.get(0), 10, 1); // it cost 12 µ$, not 29: 157 held, 43 left, one more fits
        assertThat(quotas.reserve(CALLER, policy, demand).refusal()).isNull();
        assertThat(quotas.reserve(CALLER, policy, demand).refusal())
                .as("14 µ$ left")
                .isNotNull();
    }

    @Test
    void concurrent_requests_never_reserve_more_than_a_cost_quota_holds() throws Exception {
        EffectivePolicy policy = EffectivePolicy.of(costPerDayClamped("0.001", null), null, null);
        Quotas.Demand demand = new Quotas.Demand(25, 2, PRICE);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return quotas.reserve(CALLER, policy, demand).refusal() == null;
            }));
        }
        start.countDown();
        long admitted = 0;
        for (var result : results) {
            admitted += result.get() ? 1 : 0;
        }
        pool.shutdown();

        assertThat(admitted).isEqualTo(34); // floor(1000 µ$ / 29 µ$)
    }

    private void settleTokens(Quotas.Reservation reservation, long input, long output) {
        quotas.settle(
                reservation,
                new UsageRecorded(
                        UUID.randomUUID(),
                        clock.now,
                        "t_1",
                        1,
                        "app_1",
                        null,
                        null,
                        "groq",
                        "m",
                        "/x",
                        200,
                        Outcome.SUCCESS,
                        input,
                        output,
                        0,
                        false,
                        false,
                        1,
                        0,
                        "req"));
    }

    private Quotas.Reservation admitted(EffectivePolicy policy, long tokens) {
        Quotas.Admission admission = quotas.reserve(CALLER, policy, demand(tokens));
        assertThat(admission.refusal()).isNull();
        return admission.reservation();
    }

    private int admitsHowMany(EffectivePolicy policy) {
        int admitted = 0;
        while (quotas.reserve(CALLER, policy, demand(0)).refusal() == null && admitted < 1000) {
            admitted++;
        }
        return admitted;
    }

    private UUID settle(Quotas.Reservation reservation, Outcome outcome, long tokens) {
        UsageRecorded event = new UsageRecorded(
                UUID.randomUUID(),
                clock.now,
                "t_1",
                1,
                "app_1",
                null,
                null,
                "openai",
                "m",
                "/x",
                200,
                outcome,
                tokens,
                0,
                0,
                false,
                false,
                1,
                0,
                "req");
        quotas.settle(reservation, event);
        return event.eventId();
    }

    private QuotaState state(long requests, long tokens, String cost, Long usageOffset) {
        Instant dayStart = clock.now
                .atZone(ZoneOffset.UTC)
                .toLocalDate()
                .atStartOfDay(ZoneId.of("UTC"))
                .toInstant();
        Instant monthStart = clock.now
                .atZone(ZoneOffset.UTC)
                .toLocalDate()
                .withDayOfMonth(1)
                .atStartOfDay(ZoneId.of("UTC"))
                .toInstant();
        QuotaState.PeriodUsage day = new QuotaState.PeriodUsage(
                dayStart, dayStart.plusSeconds(86400), requests, tokens, new BigDecimal(cost));
        QuotaState.PeriodUsage month =
                new QuotaState.PeriodUsage(monthStart, null, requests, tokens, new BigDecimal(cost));
        return new QuotaState(
                UUID.randomUUID(), clock.now, "t_1", 1, null, day, month, false, null, null, 0, usageOffset);
    }

    private static Policy requestsPerDay(long limit) {
        return Policy.builder().requestsPerDay(limit).build();
    }

    private static Policy costPerDay(String usd) {
        return Policy.builder().costPerDayUsd(new BigDecimal(usd)).build();
    }

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
