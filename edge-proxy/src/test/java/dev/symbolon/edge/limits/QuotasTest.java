package dev.symbolon.edge.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.Allowance;
import dev.symbolon.contracts.AllowanceRequest;
import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.contracts.UsageRecorded.Outcome;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.policy.EffectivePolicy;
import dev.symbolon.edge.policy.QuotaLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The edge's side of quotas: what it admits against the allowance analytics grants it. Analytics is
 * played here by {@link Owner}, which answers as analytics does for a single edge: it grants up to the
 * whole quota, a slice at a time when told to, and says a quota is spent when an ask does not fit.
 */
class QuotasTest {

    static final AppIdentity CALLER = new AppIdentity("t_1", "app_1");

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    final Owner owner = new Owner();
    final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    Quotas quotas = quotas(Duration.ofSeconds(2), Duration.ofSeconds(10), new BigDecimal[] {
        BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO
    });

    @AfterEach
    void stop() {
        later.shutdownNow();
    }

    private Quotas quotas(Duration maxWait, Duration idleReturn, BigDecimal[] failOpen) {
        return new Quotas(
                "edge_test",
                owner,
                maxWait,
                Duration.ofSeconds(1),
                idleReturn,
                failOpen,
                clock,
                new SimpleMeterRegistry());
    }

    @Test
    void a_daily_request_quota_admits_exactly_its_limit_in_flight_or_finished() {
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(requestsPerDay(3), null, null));

        Quotas.Reservation first = admitted(policy, 0);
        admitted(policy, 0);
        settle(first, Outcome.SUCCESS, 10);
        admitted(policy, 0);

        Quotas.Refusal refusal = reserve(policy, demand(0)).refusal();
        assertThat(refusal.limit()).isEqualTo("requests-per-day (tenant)");
        assertThat(refusal.retryAfterSeconds()).isEqualTo(14 * 3600 + 1);
    }

    @Test
    void refused_requests_give_their_reservation_back() {
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(requestsPerDay(1), null, null));

        settle(admitted(policy, 0), Outcome.REFUSED, 0);

        assertThat(reserve(policy, demand(0)).refusal()).isNull();
    }

    @Test
    void an_edge_admits_only_what_it_was_granted_and_asks_for_more_before_it_runs_out() {
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(requestsPerDay(100), null, null));
        owner.slice = 4;

        for (int i = 0; i < 10; i++) {
            admitted(policy, 0);
        }

        // slices of 4: asked when nothing was held, then each time half of a slice was left
        assertThat(owner.asks()).hasSizeBetween(3, 6);
        assertThat(owner.granted).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo(14);
        assertThat(owner.asks().get(0).need().requests()).isEqualTo(1);
        assertThat(owner.asks().get(1).dayUsed().requests())
                .as("an ask says what the edge admitted")
                .isPositive();
    }

    @Test
    void a_spent_quota_is_refused_without_asking_again_until_its_limit_changes() {
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(costPerDay("0.000010"), null, null));
        Quotas.Demand demand = new Quotas.Demand(5, 0, PRICE); // 5 µ$ worst case
        admitted(policy, demand);
        admitted(policy, demand);

        assertThat(reserve(policy, demand).refusal().limit()).isEqualTo("cost-per-day (tenant)");
        int asked = owner.asks().size();
        assertThat(reserve(policy, demand).refusal()).isNotNull();
        assertThat(owner.asks()).as("spent: no new ask").hasSize(asked);

        EffectivePolicy raised = owner.serve(EffectivePolicy.of(costPerDay("0.000015"), null, null));
        assertThat(reserve(raised, demand).refusal())
                .as("a raised limit reopens at once")
                .isNull();
    }

    @Test
    void tokens_in_flight_are_reserved_and_replaced_by_the_real_count() {
        EffectivePolicy policy = owner.serve(
                EffectivePolicy.of(Policy.builder().tokensPerDay(1000L).build(), null, null));

        Quotas.Reservation big = admitted(policy, 900);
        admitted(policy, 100);
        assertThat(reserve(policy, demand(1)).refusal().limit()).isEqualTo("tokens-per-day (tenant)");

        settle(big, Outcome.SUCCESS, 50); // used 50 of the 900 it might have
        assertThat(reserve(policy, demand(1)).refusal()).isNull();
    }

    @Test
    void a_new_day_in_the_tenants_time_zone_frees_a_daily_quota() {
        String zone = "Asia/Tokyo"; // 2026-11-23T10:00Z is 19:00 there; the day ends at 15:00Z
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(requestsPerDay(1), null, null, zone));
        admitted(policy, 0);

        Quotas.Refusal refusal = reserve(policy, demand(0)).refusal();
        assertThat(refusal.retryAfterSeconds()).isEqualTo(5 * 3600 + 1);

        clock.now = Instant.parse("2026-11-23T15:00:00Z");
        owner.newPeriod();
        assertThat(reserve(policy, demand(0)).reservation()).isNotNull();
        assertThat(reserve(policy, demand(0)).refusal()).isNotNull();
    }

    @Test
    void an_app_quota_applies_to_the_app_and_the_tenant_quota_to_all_its_apps() {
        EffectivePolicy app1 = owner.serve(EffectivePolicy.of(requestsPerDay(3), requestsPerDay(1), null));
        EffectivePolicy app2 = EffectivePolicy.of(requestsPerDay(3), null, null);
        AppIdentity other = new AppIdentity("t_1", "app_2");

        assertThat(reserve(app1, demand(0)).reservation()).isNotNull();
        assertThat(reserve(app1, demand(0)).refusal().limit()).isEqualTo("requests-per-day (app)");
        assertThat(quotas.reserve(other, app2, demand(0)).block().reservation()).isNotNull();
        assertThat(quotas.reserve(other, app2, demand(0)).block().reservation()).isNotNull();
        assertThat(quotas.reserve(other, app2, demand(0)).block().refusal().limit())
                .isEqualTo("requests-per-day (tenant)");
    }

    @Test
    void a_monthly_quota_counts_across_days() {
        EffectivePolicy policy = owner.serve(
                EffectivePolicy.of(Policy.builder().requestsPerMonth(2L).build(), null, null));
        settle(admitted(policy, 0), Outcome.SUCCESS, 0);
        clock.now = Instant.parse("2026-11-24T10:00:00Z");
        settle(admitted(policy, 0), Outcome.SUCCESS, 0);

        assertThat(reserve(policy, demand(0)).refusal().limit()).isEqualTo("requests-per-month (tenant)");
        clock.now = Instant.parse("2026-12-01T00:00:00Z");
        owner.newPeriod();
        assertThat(reserve(policy, demand(0)).refusal()).isNull();
    }

    @Test
    void a_request_whose_output_cap_cannot_fit_the_token_quota_is_refused_or_clamped_to_what_fits() {
        Quotas.Demand huge = new Quotas.Demand(100, 100_000_000, null);
        EffectivePolicy refusing = owner.serve(EffectivePolicy.of(costPerDayClamped("100", null), null, null));

        assertThat(reserve(refusing, huge).refusal().limit()).isEqualTo("tokens-per-day (tenant)");

        EffectivePolicy clamping = owner.serve(EffectivePolicy.of(costPerDayClamped("100", Policy.CLAMP), null, null));
        Quotas.Admission clamped = reserve(clamping, huge);
        assertThat(clamped.refusal()).isNull();
        assertThat(clamped.outputCap()).isEqualTo(900);
        // the whole day is now reserved: the next one does not fit even clamped
        assertThat(reserve(clamping, new Quotas.Demand(1, 10, null)).refusal().limit())
                .isEqualTo("tokens-per-day (tenant)");
    }

    @Test
    void a_cost_quota_reserves_each_requests_worst_case_and_settles_to_what_it_cost() {
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(costPerDayClamped("0.0002", null), null, null));
        Quotas.Demand demand = new Quotas.Demand(25, 2, PRICE); // worst case 25×1 + 2×2 = 29 µ$

        List<Quotas.Reservation> held = new ArrayList<>();
        Quotas.Admission admission;
        while ((admission = reserve(policy, demand)).refusal() == null) {
            held.add(admission.reservation());
        }

        assertThat(held).hasSize(6); // 6 × 29 = 174 µ$; a seventh would be 203
        assertThat(admission.refusal().limit()).isEqualTo("cost-per-day (tenant)");
        settleTokens(held.get(0), 10, 1); // it cost 12 µ$, not 29: 157 held, 43 left, one more fits
        assertThat(reserve(policy, demand).refusal()).isNull();
        assertThat(reserve(policy, demand).refusal()).as("14 µ$ left").isNotNull();
    }

    /** The owner answers from another thread a little later, as analytics does over Kafka. */
    @Test
    void concurrent_requests_waiting_for_slices_never_admit_more_than_the_quota() throws Exception {
        owner.delayMillis = 5;
        owner.slice = 3;
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(costPerDayClamped("0.001", null), null, null));
        Quotas.Demand demand = new Quotas.Demand(25, 2, PRICE);
        java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(16);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return quotas.reserve(CALLER, policy, demand).block().refusal() == null;
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

    @Test
    void while_analytics_is_silent_a_request_waits_at_most_max_wait_then_fails_closed_or_open_as_configured() {
        owner.silent = true;
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(requestsPerDay(10), null, null));
        quotas = quotas(Duration.ofMillis(200), Duration.ofSeconds(10), new BigDecimal[] {
            BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO
        });

        long started = System.nanoTime();
        Quotas.Refusal closed = reserve(policy, demand(0)).refusal();
        long waitedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(closed.unavailable()).isTrue();
        assertThat(closed.limit()).isEqualTo("quota allowance (tenant)");
        assertThat(waitedMs).isBetween(190L, 2_000L);

        quotas = quotas(Duration.ofMillis(50), Duration.ofSeconds(10), new BigDecimal[] {
            BigDecimal.valueOf(2), BigDecimal.ZERO, BigDecimal.ZERO
        });
        assertThat(reserve(policy, demand(0)).reservation()).as("open for 2").isNotNull();
        assertThat(reserve(policy, demand(0)).reservation()).isNotNull();
        assertThat(reserve(policy, demand(0)).refusal().unavailable()).isTrue();
        owner.silent = false;
        // analytics is back: what was admitted open is reported, and counted against the quota
        assertThat(reserve(policy, demand(0)).reservation()).isNotNull();
        assertThat(owner.asks().get(owner.asks().size() - 1).dayUsed().requests())
                .isEqualTo(2);
    }

    @Test
    void room_unused_for_idle_return_is_given_back_and_no_longer_admitted_against() {
        quotas = quotas(Duration.ofSeconds(2), Duration.ZERO, new BigDecimal[] {
            BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO
        });
        owner.slice = 5;
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(requestsPerDay(100), null, null));
        settle(admitted(policy, 0), Outcome.SUCCESS, 0);

        quotas.returnIdle();

        AllowanceRequest returned = owner.requests.get(owner.requests.size() - 1);
        assertThat(returned.kind()).isEqualTo(AllowanceRequest.Kind.RETURN);
        assertThat(returned.dayUsed().requests()).isEqualTo(1);
        int asks = owner.asks().size();
        admitted(policy, 0);
        assertThat(owner.asks()).as("what it gave back, it asks for again").hasSize(asks + 1);
    }

    @Test
    void a_grant_holds_only_until_it_expires() {
        owner.lifetime = Duration.ofMillis(400); // valid here for 300 ms: a quarter is kept as margin
        owner.slice = 50;
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(requestsPerDay(100), null, null));
        admitted(policy, 0);
        int asks = owner.asks().size();

        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    admitted(policy, 0);
                    return owner.asks().size() > asks;
                });
    }

    @Test
    void an_answer_for_another_edge_or_an_older_sequence_changes_nothing() {
        EffectivePolicy policy = owner.serve(EffectivePolicy.of(requestsPerDay(2), null, null));
        admitted(policy, 0);
        Allowance last = owner.answers.get(owner.answers.size() - 1);

        quotas.apply(withEdge(last, "edge_other", 1_000));
        quotas.apply(withEdge(last, "edge_test", -1));
        admitted(policy, 0);

        assertThat(reserve(policy, demand(0)).refusal()).isNotNull();
    }

    private static Allowance withEdge(Allowance a, String edge, long requests) {
        Allowance.Grant day = new Allowance.Grant(
                a.day().periodStart(),
                requests < 0 ? a.day().sequence() - 1 : a.day().sequence() + 1,
                new Allowance.Amount(Math.abs(requests) * 100, null, null),
                false);
        return new Allowance(
                UUID.randomUUID(), a.occurredAt(), a.tenantId(), 1, a.appId(), edge, null, day, null, a.expiresAt());
    }

    // --- helpers

    private Quotas.Admission reserve(EffectivePolicy policy, Quotas.Demand demand) {
        return quotas.reserve(CALLER, policy, demand).block();
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

    private void settleTokens(Quotas.Reservation reservation, long input, long output) {
        quotas.settle(reservation, event(Outcome.SUCCESS, input, output));
    }

    private Quotas.Reservation admitted(EffectivePolicy policy, long tokens) {
        return admitted(policy, demand(tokens));
    }

    private Quotas.Reservation admitted(EffectivePolicy policy, Quotas.Demand demand) {
        Quotas.Admission admission = reserve(policy, demand);
        assertThat(admission.refusal()).isNull();
        return admission.reservation();
    }

    private void settle(Quotas.Reservation reservation, Outcome outcome, long tokens) {
        quotas.settle(reservation, event(outcome, tokens, 0));
    }

    private UsageRecorded event(Outcome outcome, long input, long output) {
        return new UsageRecorded(
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
                outcome,
                input,
                output,
                0,
                false,
                false,
                1,
                0,
                "req");
    }

    private static Policy requestsPerDay(long limit) {
        return Policy.builder().requestsPerDay(limit).build();
    }

    private static Policy costPerDay(String usd) {
        return Policy.builder().costPerDayUsd(new BigDecimal(usd)).build();
    }

    /**
     * Analytics for one edge: the quota of the policy it serves is the most the edge may hold;
     * an ask is granted {@code slice} requests' worth more (or all that remains), or said spent when
     * even its need does not fit. Counts what it granted.
     */
    final class Owner implements Consumer<AllowanceRequest> {
        final List<AllowanceRequest> requests = new CopyOnWriteArrayList<>();
        final List<Allowance> answers = new CopyOnWriteArrayList<>();
        volatile EffectivePolicy policy;
        volatile boolean silent;
        volatile long delayMillis;
        /** how much more an ask gets, in multiples of its need (0: all that remains) */
        volatile int slice;

        volatile Duration lifetime = Duration.ofSeconds(60);
        long sequence;
        long granted;
        final java.util.Map<String, Allowance.Amount> held = new java.util.concurrent.ConcurrentHashMap<>();

        EffectivePolicy serve(EffectivePolicy policy) {
            this.policy = policy;
            return policy;
        }

        void newPeriod() {
            held.clear();
        }

        List<AllowanceRequest> asks() {
            return requests.stream()
                    .filter(r -> r.kind() == AllowanceRequest.Kind.ASK)
                    .toList();
        }

        @Override
        public void accept(AllowanceRequest request) {
            requests.add(request);
            if (silent) {
                return;
            }
            Allowance answer = answer(request);
            answers.add(answer);
            if (delayMillis > 0) {
                later.schedule(() -> quotas.apply(answer), delayMillis, TimeUnit.MILLISECONDS);
            } else {
                quotas.apply(answer);
            }
        }

        private synchronized Allowance answer(AllowanceRequest request) {
            QuotaLimits limits = request.appId() == null ? policy.tenantQuotas() : policy.appQuotas();
            sequence++;
            Allowance.Grant day = grant(
                    request,
                    request.dayStart(),
                    request.dayUsed(),
                    limits.requestsPerDay(),
                    limits.tokensPerDay(),
                    limits.costPerDayUsd());
            Allowance.Grant month = grant(
                    request,
                    request.monthStart(),
                    request.monthUsed(),
                    limits.requestsPerMonth(),
                    limits.tokensPerMonth(),
                    limits.costPerMonthUsd());
            return new Allowance(
                    UUID.randomUUID(),
                    clock.now,
                    request.tenantId(),
                    1,
                    request.appId(),
                    request.edgeId(),
                    request.eventId(),
                    day,
                    month,
                    clock.now.plus(lifetime));
        }

        private Allowance.Grant grant(
                AllowanceRequest request,
                Instant start,
                Allowance.Amount used,
                Long requests,
                Long tokens,
                BigDecimal cost) {
            if (requests == null && tokens == null && cost == null) {
                return null;
            }
            String key = request.key() + "@" + start;
            Allowance.Amount before = held.getOrDefault(key, new Allowance.Amount(0L, 0L, BigDecimal.ZERO));
            Allowance.Amount now;
            boolean spent = false;
            if (request.kind() == AllowanceRequest.Kind.RETURN) {
                now = used;
            } else {
                Allowance.Amount need = request.need();
                boolean fits = (requests == null || used.requests() + need.requests() <= requests)
                        && (tokens == null || used.tokens() + need.tokens() <= tokens)
                        && (cost == null || used.costUsd().add(need.costUsd()).compareTo(cost) <= 0);
                if (!fits) {
                    now = before;
                    spent = true;
                } else {
                    long more = slice == 0 ? Long.MAX_VALUE / 2 : slice * Math.max(1, need.requests());
                    now = new Allowance.Amount(
                            requests == null
                                    ? null
                                    : Math.min(requests, Math.max(before.requests(), used.requests()) + more),
                            tokens,
                            cost);
                    if (now.requests() != null) {
                        granted = Math.max(granted, now.requests());
                    }
                }
            }
            held.put(key, now);
            return new Allowance.Grant(start, sequence, now, spent);
        }
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

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
