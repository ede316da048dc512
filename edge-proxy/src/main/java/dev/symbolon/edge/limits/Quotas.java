package dev.symbolon.edge.limits;

import dev.symbolon.contracts.Allowance;
import dev.symbolon.contracts.AllowanceRequest;
import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.policy.EffectivePolicy;
import dev.symbolon.edge.policy.QuotaLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Daily and monthly quotas in requests, tokens and cost, per tenant and per app, held across any
 * number of edges by allowances: analytics, which counts a tenant's usage, grants each edge a share
 * of what remains ({@link Allowance}); the edge admits against its share alone, so nothing remote is
 * on the request path, and the edges together never admit more than the quota.
 *
 * <p>Per tenant and per app the edge keeps a {@link Holding}: for the current day and month, what it
 * has been granted and what it has admitted (settled usage, and requests in flight at their worst
 * case). A request fits when its worst case fits every limited kind of both periods; one that does
 * not fit asks for more and waits for the answer (at most {@code wait}); one analytics declared spent
 * is refused at once. Room runs low → the edge asks before it runs out; room unused for {@code
 * idle-return} is given back; a grant lapses at its expiry unless renewed. While analytics does not
 * answer, the edge serves within what it holds, and beyond that only up to {@code fail-open}.
 *
 * <p>Tokens and cost are reserved at their worst case: the prompt's estimate plus the request's output
 * cap, that output priced at the dearest rate ({@link PriceCard#worstCase}); where the policy clamps,
 * a request whose worst case does not fit has its output cap lowered to what the edge holds. Spend
 * therefore stays within a quota but for what a prompt costs beyond its estimate.
 */
public class Quotas {

    /** Requests, tokens, cost: the kinds of quota, in that order in every amount. */
    private static final int KINDS = 3;

    private static final Mono<Admission> UNLIMITED = Mono.just(new Admission(null, null));

    private final Map<String, Holding> holdings = new ConcurrentHashMap<>();
    private final String edgeId;
    private final Consumer<AllowanceRequest> owner;
    private final Duration wait;
    private final Duration exhaustedBackoff;
    private final Duration idleReturn;
    private final BigDecimal[] failOpen;
    private final Clock clock;
    private final Counter granted;
    private final Counter spent;
    private final Counter silent;
    private final Timer waited;

    /**
     * @param owner sends a request to analytics (returns at once; the answer comes to {@link #apply})
     * @param failOpen requests, tokens and cost an edge may admit beyond its holding while analytics
     *     is silent, per scope and period
     */
    public Quotas(
            String edgeId,
            Consumer<AllowanceRequest> owner,
            Duration wait,
            Duration exhaustedBackoff,
            Duration idleReturn,
            BigDecimal[] failOpen,
            Clock clock,
            MeterRegistry registry) {
        this.edgeId = edgeId;
        this.owner = owner;
        this.wait = wait;
        this.exhaustedBackoff = exhaustedBackoff;
        this.idleReturn = idleReturn;
        this.failOpen = failOpen.clone();
        this.clock = clock;
        this.granted = Counter.builder("symbolon.edge.allowance.answers")
                .tag("outcome", "granted")
                .description("Analytics' answers to this edge's quota allowance asks, by outcome")
                .register(registry);
        this.spent = Counter.builder("symbolon.edge.allowance.answers")
                .tag("outcome", "exhausted")
                .register(registry);
        this.silent = Counter.builder("symbolon.edge.allowance.answers")
                .tag("outcome", "none")
                .register(registry);
        this.waited = Timer.builder("symbolon.edge.allowance.wait")
                .description("How long requests waited for a quota allowance (the renewal's added latency)")
                .publishPercentileHistogram()
                .register(registry);
    }

    public String edgeId() {
        return edgeId;
    }

    /** Which quota refused a request, and when its period ends; or that no quota could be checked. */
    public record Refusal(String limit, long retryAfterSeconds, boolean unavailable) {
        Refusal(String limit, long retryAfterSeconds) {
            this(limit, retryAfterSeconds, false);
        }
    }

    /**
     * The outcome of {@link #reserve}: a reservation to settle later, or a refusal.
     *
     * @param outputCap the output cap the request must be sent with, when it had to be lowered to fit
     *     (the policy clamps); null when the request goes as it is
     */
    public record Admission(Reservation reservation, Refusal refusal, Long outputCap) {
        Admission(Reservation reservation, Refusal refusal) {
            this(reservation, refusal, null);
        }
    }

    /**
     * What a request may use at most.
     *
     * @param promptTokens the prompt's estimate
     * @param outputTokens its output cap (its own, else the model's, else the default)
     * @param price its model's price, null when unpriced (then it reserves no cost, as analytics
     *     charges none)
     */
    public record Demand(long promptTokens, long outputTokens, PriceCard price) {
        BigDecimal worstCost(long output) {
            return price == null ? BigDecimal.ZERO : price.worstCase(promptTokens, output);
        }

        BigDecimal[] worstCase(long output) {
            return new BigDecimal[] {BigDecimal.ONE, BigDecimal.valueOf(promptTokens + output), worstCost(output)};
        }
    }

    /** What an admitted request holds until it is settled, exactly once. */
    public static final class Reservation {
        private final Holding[] holdings;
        private final Instant[] dayStarts;
        private final Instant[] monthStarts;
        private final BigDecimal[] amount;
        private final PriceCard price;
        private final AtomicBoolean settled = new AtomicBoolean();

        private Reservation(Holding[] holdings, BigDecimal[] amount, PriceCard price) {
            this.holdings = holdings;
            this.dayStarts = new Instant[holdings.length];
            this.monthStarts = new Instant[holdings.length];
            for (int i = 0; i < holdings.length; i++) {
                dayStarts[i] = holdings[i].day.start;
                monthStarts[i] = holdings[i].month.start;
            }
            this.amount = amount;
            this.price = price;
        }

        /** The worst-case cost this request holds. */
        public BigDecimal cost() {
            return amount[2];
        }
    }

    /**
     * Admits a request against the quotas of its tenant and app, holding its worst case, or names the
     * quota that refuses it. Completes at once when the edge holds room enough or knows the quota is
     * spent; otherwise after analytics has answered this edge's ask (or {@code wait} has passed).
     */
    public Mono<Admission> reserve(AppIdentity caller, EffectivePolicy policy, Demand demand) {
        if (!policy.hasQuotas()) {
            return UNLIMITED;
        }
        Step step = step(caller, policy, demand, false);
        if (step.admission != null) {
            return Mono.just(step.admission);
        }
        long started = System.nanoTime();
        return await(step, caller, policy, demand, started + wait.toNanos())
                .doOnNext(admission ->
                        waited.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    /** Waits for the holding to be answered, then tries again; past the deadline, decides without it. */
    private Mono<Admission> await(Step step, AppIdentity caller, EffectivePolicy policy, Demand demand, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return Mono.fromSupplier(() -> step(caller, policy, demand, true).admission);
        }
        return Mono.<Void>create(sink -> step.waitFor.park(sink, step.answersSeen))
                .timeout(Duration.ofNanos(left), Mono.error(new TimeoutException()))
                .then(Mono.defer(() -> {
                    Step next = step(caller, policy, demand, false);
                    return next.admission != null
                            ? Mono.just(next.admission)
                            : await(next, caller, policy, demand, deadline);
                }))
                .onErrorResume(TimeoutException.class, e -> {
                    silent.increment();
                    return Mono.fromSupplier(() -> step(caller, policy, demand, true).admission);
                });
    }

    /**
     * One try: an admission (granted or refused), or the holding to wait for and how many answers it
     * had had (an answer that arrives before the wait begins wakes it at once).
     */
    private record Step(Admission admission, Holding waitFor, long answersSeen) {
        Step(Admission admission) {
            this(admission, null, 0);
        }
    }

    private Step step(AppIdentity caller, EffectivePolicy policy, Demand demand, boolean ownerSilent) {
        Instant now = clock.instant();
        QuotaPeriods periods = QuotaPeriods.at(policy.zone(), now);
        long nanos = System.nanoTime();
        QuotaLimits tenantLimits = policy.tenantQuotas();
        QuotaLimits appLimits = policy.appQuotas();
        Holding tenant = tenantLimits == null ? null : holding(caller.tenantId(), null);
        Holding app = appLimits == null ? null : holding(caller.tenantId(), caller.appId());
        Holding first = tenant != null ? tenant : app;
        synchronized (first) {
            if (tenant == null || app == null) {
                return admit(
                        first,
                        first == tenant ? tenantLimits : appLimits,
                        null,
                        null,
                        policy,
                        periods,
                        now,
                        nanos,
                        demand,
                        ownerSilent);
            }
            synchronized (app) {
                return admit(tenant, tenantLimits, app, appLimits, policy, periods, now, nanos, demand, ownerSilent);
            }
        }
    }

    private Step admit(
            Holding a,
            QuotaLimits aLimits,
            Holding b,
            QuotaLimits bLimits,
            EffectivePolicy policy,
            QuotaPeriods periods,
            Instant now,
            long nanos,
            Demand demand,
            boolean ownerSilent) {
        Holding[] scopes = b == null ? new Holding[] {a} : new Holding[] {a, b};
        QuotaLimits[] limits = b == null ? new QuotaLimits[] {aLimits} : new QuotaLimits[] {aLimits, bLimits};
        long output = demand.outputTokens();
        BigDecimal[] need = demand.worstCase(output);
        Long clamped = null;
        for (int i = 0; i < scopes.length; i++) {
            Holding h = scopes[i];
            h.roll(periods);
            Fit fit = h.fit(limits[i], need, nanos, ownerSilent ? failOpen : null);
            if (fit == Fit.YES) {
                continue;
            }
            // where the policy clamps, the least that helps is the prompt and one output token
            BigDecimal[] least = policy.clampsOverQuota() && output > 1 ? demand.worstCase(1) : need;
            if (least != need && h.valid(nanos)) {
                long room = h.outputRoom(limits[i], demand, nanos);
                if (room >= 1 && room < output) {
                    output = room;
                    clamped = room;
                    need = demand.worstCase(output);
                    i = -1; // every scope again, at the lowered cap
                    continue;
                }
                fit = h.fit(limits[i], least, nanos, ownerSilent ? failOpen : null);
            }
            if (fit == Fit.SPENT) {
                return new Step(new Admission(null, h.refusal(limits[i], need, now)));
            }
            if (ownerSilent) {
                return new Step(new Admission(null, h.unavailable()));
            }
            long seen = h.answers; // before the ask: its answer may come at once
            h.askedUnder = limits[i];
            h.ask(least, nanos);
            return new Step(null, h, seen);
        }
        for (int i = 0; i < scopes.length; i++) {
            Holding h = scopes[i];
            h.add(need, nanos);
            h.inFlight++;
            if (h.low(nanos)) {
                h.askedUnder = limits[i];
                h.ask(null, nanos); // before it runs out: the next requests need not wait
            }
        }
        return new Step(new Admission(new Reservation(scopes, need, demand.price()), null, clamped));
    }

    /**
     * Ends a reservation with the request's usage event: the worst case is replaced by what the event
     * counts, in the periods the request was admitted in. Repeated calls are ignored.
     */
    public void settle(Reservation reservation, UsageRecorded event) {
        if (reservation == null || !reservation.settled.compareAndSet(false, true)) {
            return;
        }
        boolean counted = event.countsTowardQuota();
        BigDecimal[] actual = {
            BigDecimal.valueOf(counted && event.countsAsRequest() ? 1 : 0),
            BigDecimal.valueOf(counted ? event.totalTokens() : 0),
            counted && reservation.price != null ? reservation.price.cost(event.tokens()) : BigDecimal.ZERO
        };
        change(reservation, actual, true);
    }

    /**
     * Counts an attempt the request moved on from ({@link UsageRecorded#failedOver()}): its tokens and
     * cost, never the request (the attempt that answers the client settles the reservation).
     */
    public void attempted(Reservation reservation, UsageRecorded event) {
        if (reservation == null || !event.countsTowardQuota()) {
            return;
        }
        BigDecimal cost = reservation.price != null ? reservation.price.cost(event.tokens()) : BigDecimal.ZERO;
        change(reservation, new BigDecimal[] {BigDecimal.ZERO, BigDecimal.valueOf(event.totalTokens()), cost}, false);
    }

    /** Gives back what a reservation holds, for a request that is refused after all (counts nothing). */
    public void release(Reservation reservation) {
        if (reservation == null || !reservation.settled.compareAndSet(false, true)) {
            return;
        }
        change(reservation, new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO}, true);
    }

    /** Adds {@code actual} to what the reservation's scopes admitted, less its worst case when it ends. */
    private void change(Reservation reservation, BigDecimal[] actual, boolean ends) {
        for (int i = 0; i < reservation.holdings.length; i++) {
            Holding h = reservation.holdings[i];
            synchronized (h) {
                for (Period p : new Period[] {h.day, h.month}) {
                    Instant start = p == h.day ? reservation.dayStarts[i] : reservation.monthStarts[i];
                    if (!start.equals(p.start)) {
                        continue; // admitted in a period that has ended: analytics counts it by its own time
                    }
                    for (int k = 0; k < KINDS; k++) {
                        p.used[k] = p.used[k].add(actual[k]);
                        if (ends) {
                            p.used[k] = p.used[k].subtract(reservation.amount[k]);
                        }
                    }
                }
                if (ends) {
                    h.inFlight--;
                }
            }
        }
    }

    /** Analytics' answer to one of this edge's asks or returns. */
    public void apply(Allowance allowance) {
        if (!edgeId.equals(allowance.edgeId())) {
            return;
        }
        Holding h = holdings.get(allowance.key());
        if (h == null) {
            return;
        }
        long nanos = System.nanoTime();
        List<MonoSink<Void>> woken;
        synchronized (h) {
            boolean spentNow = false;
            for (Period p : new Period[] {h.day, h.month}) {
                Allowance.Grant grant = p == h.day ? allowance.day() : allowance.month();
                if (grant == null) {
                    if (p.start != null) {
                        p.unlimited = true; // analytics limits nothing in this period
                        p.answered = true;
                    }
                    continue;
                }
                if (!grant.periodStart().equals(p.start) || grant.sequence() <= p.sequence) {
                    continue; // another period, or an older answer than the one held
                }
                p.sequence = grant.sequence();
                BigDecimal[] before = p.granted;
                p.granted = of(grant.granted());
                for (int k = 0; k < KINDS; k++) {
                    if (p.granted[k] != null) {
                        BigDecimal was = before == null || before[k] == null ? p.used[k] : before[k];
                        BigDecimal slice = p.granted[k].subtract(was);
                        if (slice.signum() > 0) {
                            p.slice[k] = slice;
                        }
                    }
                }
                p.answered = true;
                p.unlimited = false;
                p.exhausted = grant.exhausted();
                spentNow |= grant.exhausted();
            }
            // by this edge's own clock: valid for the grant's lifetime from its arrival, less a margin
            long lifetime = Duration.between(allowance.occurredAt(), allowance.expiresAt())
                    .toNanos();
            h.lifetime = lifetime;
            h.validUntil = nanos + lifetime - Math.min(Duration.ofSeconds(5).toNanos(), lifetime / 4);
            h.answers++;
            if (spentNow) {
                h.spentUntil = nanos + exhaustedBackoff.toNanos();
                h.spentUnder = h.askedUnder;
                h.spentFor = h.askedFor;
            }
            if (allowance.inReplyTo() != null && allowance.inReplyTo().equals(h.asking)) {
                h.asking = null;
            }
            woken = h.waiters;
            h.waiters = new ArrayList<>();
            (spentNow ? spent : granted).increment();
        }
        woken.forEach(MonoSink::success);
    }

    /** Gives back the room of every scope that admitted nothing for {@code idle-return}. */
    public void returnIdle() {
        long nanos = System.nanoTime();
        for (Holding h : holdings.values()) {
            synchronized (h) {
                if (h.inFlight == 0 && nanos - h.lastAdmitted > idleReturn.toNanos() && h.holdsRoom()) {
                    h.giveBack(nanos);
                }
            }
        }
    }

    /** Gives back everything this edge holds (it is stopping). */
    public void returnAll() {
        long nanos = System.nanoTime();
        for (Holding h : holdings.values()) {
            synchronized (h) {
                if (h.holdsRoom()) {
                    h.giveBack(nanos);
                }
            }
        }
    }

    private Holding holding(String tenantId, String appId) {
        return holdings.computeIfAbsent(
                appId == null ? tenantId : tenantId + "/" + appId, key -> new Holding(tenantId, appId));
    }

    private static BigDecimal[] of(Allowance.Amount amount) {
        return new BigDecimal[] {
            amount.requests() == null ? null : BigDecimal.valueOf(amount.requests()),
            amount.tokens() == null ? null : BigDecimal.valueOf(amount.tokens()),
            amount.costUsd()
        };
    }

    private static Allowance.Amount amount(BigDecimal[] values) {
        return new Allowance.Amount(values[0].longValue(), values[1].longValue(), values[2]);
    }

    private enum Fit {
        YES,
        /** more room is needed: ask for it */
        SHORT,
        /** analytics said the quota is spent, and the policy has not changed since */
        SPENT
    }

    /** One period's share: cumulative grant and what this edge admitted (settled and in flight). */
    private static final class Period {
        Instant start;
        long sequence;
        /** per kind; null before the first answer, or where analytics limits nothing */
        BigDecimal[] granted;

        BigDecimal[] used = {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
        /** what the last answer added, per kind: room is low once less than half of it is left */
        BigDecimal[] slice = new BigDecimal[KINDS];

        boolean answered;
        boolean unlimited;
        boolean exhausted;

        void reset(Instant newStart) {
            start = newStart;
            sequence = 0;
            granted = null;
            used = new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
            slice = new BigDecimal[KINDS];
            answered = false;
            unlimited = false;
            exhausted = false;
        }
    }

    /** A tenant's or an app's share on this edge; every method runs under its lock. */
    final class Holding {
        final String tenantId;
        final String appId;
        final Period day = new Period();
        final Period month = new Period();
        QuotaPeriods periods;
        long validUntil;
        long lifetime;
        long spentUntil;
        long answers;
        UUID asking;
        long askedAt;
        /** the limits of the last ask, and those analytics said were spent (a changed policy asks again) */
        QuotaLimits askedUnder;

        QuotaLimits spentUnder;
        /** what the last ask needed, and the need analytics found no room for */
        BigDecimal[] askedFor;

        BigDecimal[] spentFor;
        long lastAdmitted;
        int inFlight;
        List<MonoSink<Void>> waiters = new ArrayList<>();

        Holding(String tenantId, String appId) {
            this.tenantId = tenantId;
            this.appId = appId;
        }

        void roll(QuotaPeriods now) {
            periods = now;
            if (!now.dayStart().equals(day.start)) {
                day.reset(now.dayStart());
            }
            if (!now.monthStart().equals(month.start)) {
                month.reset(now.monthStart());
            }
        }

        boolean valid(long nanos) {
            return validUntil - nanos > 0;
        }

        Fit fit(QuotaLimits limits, BigDecimal[] need, long nanos, BigDecimal[] overdraft) {
            boolean valid = valid(nanos);
            for (Period p : new Period[] {day, month}) {
                BigDecimal[] limit = limits(limits, p == day);
                if (limit == null || p.unlimited) {
                    continue; // the policy, or analytics, limits nothing in this period
                }
                for (int k = 0; k < KINDS; k++) {
                    if (limit[k] == null || (p.answered && p.granted[k] == null)) {
                        continue;
                    }
                    // an expired grant holds nothing: what was admitted stays, more needs a new answer
                    BigDecimal held = valid && p.granted != null ? p.granted[k] : BigDecimal.ZERO;
                    if (overdraft != null) {
                        held = held.add(overdraft[k]);
                    }
                    if (p.used[k].add(need[k]).compareTo(held) > 0) {
                        return p.exhausted
                                        && valid
                                        && spentUntil - nanos > 0
                                        && limits.equals(spentUnder)
                                        && atLeast(need, spentFor)
                                        && overdraft == null
                                ? Fit.SPENT
                                : Fit.SHORT;
                    }
                }
            }
            return Fit.YES;
        }

        /** Whether a need is no smaller, in any kind, than one analytics found no room for. */
        private static boolean atLeast(BigDecimal[] need, BigDecimal[] refused) {
            if (refused == null) {
                return false;
            }
            for (int k = 0; k < KINDS; k++) {
                if (need[k].compareTo(refused[k]) < 0) {
                    return false;
                }
            }
            return true;
        }

        /** The most output tokens the room held admits for this demand, in every limited kind. */
        long outputRoom(QuotaLimits limits, Demand demand, long nanos) {
            long room = Long.MAX_VALUE;
            for (Period p : new Period[] {day, month}) {
                BigDecimal[] limit = limits(limits, p == day);
                if (limit == null || p.granted == null || (p.answered && p.unlimited)) {
                    continue;
                }
                if (limit[0] != null
                        && p.granted[0] != null
                        && p.used[0].add(BigDecimal.ONE).compareTo(p.granted[0]) > 0) {
                    return -1;
                }
                if (limit[1] != null && p.granted[1] != null) {
                    room = Math.min(room, p.granted[1].subtract(p.used[1]).longValue() - demand.promptTokens());
                }
                if (limit[2] != null && p.granted[2] != null && demand.price() != null) {
                    BigDecimal left = p.granted[2].subtract(p.used[2]);
                    room = Math.min(
                            room,
                            left.signum() <= 0 ? -1 : demand.price().maxOutputWithin(demand.promptTokens(), left));
                }
            }
            return room;
        }

        void add(BigDecimal[] amount, long nanos) {
            for (Period p : new Period[] {day, month}) {
                for (int k = 0; k < KINDS; k++) {
                    p.used[k] = p.used[k].add(amount[k]);
                }
            }
            lastAdmitted = nanos;
        }

        /** Half of the grant's lifetime gone, or less than half of the last slice left: time to ask. */
        boolean low(long nanos) {
            if (asking != null && nanos - askedAt < wait.toNanos()) {
                return false;
            }
            if (validUntil - nanos < lifetime / 2) {
                return true;
            }
            for (Period p : new Period[] {day, month}) {
                if (p.granted == null || p.unlimited || p.exhausted) {
                    continue;
                }
                for (int k = 0; k < KINDS; k++) {
                    if (p.granted[k] != null && p.slice[k] != null) {
                        BigDecimal left = p.granted[k].subtract(p.used[k]);
                        if (left.multiply(BigDecimal.valueOf(2)).compareTo(p.slice[k]) < 0) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        boolean holdsRoom() {
            for (Period p : new Period[] {day, month}) {
                if (p.granted == null) {
                    continue;
                }
                for (int k = 0; k < KINDS; k++) {
                    if (p.granted[k] != null && p.granted[k].compareTo(p.used[k]) > 0) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Asks analytics for more ({@code need} null: a renewal), unless an ask is on its way. */
        void ask(BigDecimal[] need, long nanos) {
            if (asking != null && nanos - askedAt < wait.toNanos()) {
                return;
            }
            asking = UUID.randomUUID();
            askedAt = nanos;
            askedFor = need == null ? new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO} : need;
            send(
                    AllowanceRequest.Kind.ASK,
                    need == null ? new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO} : need);
        }

        /** Gives back what is held beyond what was admitted: from now on, the edge holds only that. */
        void giveBack(long nanos) {
            for (Period p : new Period[] {day, month}) {
                if (p.granted == null) {
                    continue;
                }
                for (int k = 0; k < KINDS; k++) {
                    if (p.granted[k] != null) {
                        p.granted[k] = p.granted[k].min(p.used[k].max(BigDecimal.ZERO));
                    }
                }
            }
            send(AllowanceRequest.Kind.RETURN, null);
        }

        private void send(AllowanceRequest.Kind kind, BigDecimal[] need) {
            owner.accept(new AllowanceRequest(
                    kind == AllowanceRequest.Kind.ASK ? asking : UUID.randomUUID(),
                    clock.instant(),
                    tenantId,
                    AllowanceRequest.CURRENT_VERSION,
                    appId,
                    edgeId,
                    kind,
                    day.start,
                    month.start,
                    need == null ? null : amount(need),
                    amount(positive(day.used)),
                    amount(positive(month.used))));
        }

        void park(MonoSink<Void> sink, long answersSeen) {
            synchronized (this) {
                if (answers != answersSeen) {
                    sink.success(); // answered since the request looked
                    return;
                }
                waiters.add(sink);
            }
        }

        Refusal refusal(QuotaLimits limits, BigDecimal[] need, Instant now) {
            for (Period p : new Period[] {day, month}) {
                BigDecimal[] limit = limits(limits, p == day);
                if (limit == null || p.granted == null) {
                    continue;
                }
                for (int k = 0; k < KINDS; k++) {
                    if (limit[k] != null
                            && p.granted[k] != null
                            && p.used[k].add(need[k]).compareTo(p.granted[k]) > 0) {
                        String period = p == day ? "day" : "month";
                        return refusalOf(QuotaPeriods.limitName(KIND_NAMES[k], period), p == day, now);
                    }
                }
            }
            return refusalOf(QuotaPeriods.limitName("requests", "day"), true, now);
        }

        Refusal unavailable() {
            return new Refusal("quota allowance" + (appId == null ? " (tenant)" : " (app)"), 1, true);
        }

        private Refusal refusalOf(String name, boolean dayPeriod, Instant now) {
            Instant end = dayPeriod ? periods.dayEnd() : periods.monthEnd();
            long seconds = Duration.between(now, end).toSeconds() + 1;
            return new Refusal(name + (appId == null ? " (tenant)" : " (app)"), Math.max(1, seconds));
        }
    }

    private static final String[] KIND_NAMES = {"requests", "tokens", "cost"};

    private static BigDecimal[] positive(BigDecimal[] values) {
        return new BigDecimal[] {
            values[0].max(BigDecimal.ZERO), values[1].max(BigDecimal.ZERO), values[2].max(BigDecimal.ZERO)
        };
    }

    /** A period's limits per kind, null when the policy limits nothing in it. */
    private static BigDecimal[] limits(QuotaLimits limits, boolean day) {
        Long requests = day ? limits.requestsPerDay() : limits.requestsPerMonth();
        Long tokens = day ? limits.tokensPerDay() : limits.tokensPerMonth();
        BigDecimal cost = day ? limits.costPerDayUsd() : limits.costPerMonthUsd();
        if (requests == null && tokens == null && cost == null) {
            return null;
        }
        return new BigDecimal[] {
            requests == null ? null : BigDecimal.valueOf(requests),
            tokens == null ? null : BigDecimal.valueOf(tokens),
            cost
        };
    }
}
