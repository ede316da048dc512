package dev.symbolon.edge.limits;

import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.QuotaState.PeriodUsage;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.policy.EffectivePolicy;
import dev.symbolon.edge.policy.QuotaLimits;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Daily and monthly quotas in requests, tokens and cost, per tenant and per app, with days and months
 * in the tenant's time zone.
 *
 * <p>Two sources add up. What analytics has counted arrives as {@code quota-state.v1}, together with
 * the {@code usage-recorded.v1} offset it has counted up to. What this edge let through since is
 * held here: a request reserves one request and its estimated tokens when admitted (so concurrent
 * requests see each other), swaps the estimate for its real tokens when it ends, and stays counted
 * locally until a quota state covers the offset its usage event was written at. Nothing is counted
 * twice and nothing falls between the two.
 *
 * <p>Requests are exact: a limit of 10 admits 10. Tokens and cost are reserved at their worst case: the
 * prompt's estimate plus the request's output cap (its own, else the model's, else a default), and
 * that output priced at the dearest rate ({@link PriceCard#worstCase}). A request whose worst case
 * does not fit what remains is refused, or, where the policy says so, has its output cap lowered to
 * what fits. Spend therefore stays within a quota but for what a prompt costs beyond its estimate.
 *
 * <p>Limits are read from the current policy on every request, so raising a quota in admin-api frees
 * the tenant as soon as the new snapshot reaches the edge; the {@code blocked} flag of a quota state
 * is for dashboards and webhooks.
 */
@Component
public class Quotas {

    /** Usage events awaiting coverage per ledger before the oldest are merged (bounded memory). */
    static final int MAX_LOCAL_ENTRIES = 50_000;

    private final Map<String, Ledger> ledgers = new ConcurrentHashMap<>();
    private final Map<UUID, Pending> unpublished = new ConcurrentHashMap<>();
    private final Clock clock;

    @Autowired
    Quotas() {
        this(Clock.systemUTC());
    }

    Quotas(Clock clock) {
        this.clock = clock;
    }

    /** Which quota refused a request, and when its period ends. */
    public record Refusal(String limit, long retryAfterSeconds) {}

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
    }

    /** What an admitted request holds until it is settled, exactly once. */
    public static final class Reservation {
        private final Ledger tenant;
        private final Ledger app;
        private final QuotaPeriods periods;
        private final long tokens;
        private final BigDecimal cost;
        private final PriceCard price;
        private final AtomicBoolean settled = new AtomicBoolean();

        private Reservation(
                Ledger tenant, Ledger app, QuotaPeriods periods, long tokens, BigDecimal cost, PriceCard price) {
            this.tenant = tenant;
            this.app = app;
            this.periods = periods;
            this.tokens = tokens;
            this.cost = cost;
            this.price = price;
        }

        /** The worst-case cost this request holds. */
        public BigDecimal cost() {
            return cost;
        }
    }

    /**
     * Admits a request against the quotas of its tenant and app, reserving one request and its worst
     * case in tokens and cost, or names the quota that refuses it (reserving nothing then).
     */
    public Admission reserve(AppIdentity caller, EffectivePolicy policy, Demand demand) {
        if (!policy.hasQuotas()) {
            return new Admission(null, null);
        }
        Instant now = clock.instant();
        QuotaLimits tenantLimits = policy.tenantQuotas();
        QuotaLimits appLimits = policy.appQuotas();
        Ledger tenant = tenantLimits == null ? null : ledger(caller.tenantId());
        Ledger app = appLimits == null ? null : ledger(caller.tenantId() + "/" + caller.appId());
        // Always tenant before app: both are checked and reserved as one step, without deadlock.
        Ledger first = tenant != null ? tenant : app;
        synchronized (first) {
            if (tenant == null || app == null) {
                return admit(tenant, tenantLimits, app, appLimits, policy, now, demand);
            }
            synchronized (app) {
                return admit(tenant, tenantLimits, app, appLimits, policy, now, demand);
            }
        }
    }

    private static Admission admit(
            Ledger tenant,
            QuotaLimits tenantLimits,
            Ledger app,
            QuotaLimits appLimits,
            EffectivePolicy policy,
            Instant now,
            Demand demand) {
        QuotaPeriods periods = (tenant != null ? tenant : app).periodsAt(policy.zone(), now);
        Refusal refusal = tenant == null ? null : tenant.check(tenantLimits, periods, now);
        if (refusal == null && app != null) {
            refusal = app.check(appLimits, periods, now);
        }
        if (refusal != null) {
            return new Admission(null, refusal);
        }
        Room room = tenant == null ? Room.UNLIMITED : tenant.room(tenantLimits, periods, demand);
        if (app != null) {
            room = room.tighter(app.room(appLimits, periods, demand));
        }
        long output = demand.outputTokens();
        Long clamped = null;
        if (room.output() < output || room.output() < 0) {
            if (!policy.clampsOverQuota() || room.output() < 1) {
                Ledger binding = room.ledger();
                return new Admission(null, binding.refusal(room.limit(), room.periodEnd(), now));
            }
            output = room.output();
            clamped = output;
        }
        long tokens = demand.promptTokens() + output;
        BigDecimal cost = demand.worstCost(output);
        if (tenant != null) {
            tenant.add(periods, 1, tokens, cost);
        }
        if (app != null) {
            app.add(periods, 1, tokens, cost);
        }
        return new Admission(new Reservation(tenant, app, periods, tokens, cost, demand.price()), null, clamped);
    }

    /**
     * The most output tokens a ledger's token and cost limits leave a request (-1: none, not even its
     * prompt fits), and the limit that binds.
     */
    record Room(long output, String limit, Instant periodEnd, Ledger ledger) {
        static final Room UNLIMITED = new Room(Long.MAX_VALUE, null, null, null);

        Room tighter(Room other) {
            return other.output < output ? other : this;
        }
    }

    /**
     * Ends a reservation with the request's usage event: the estimate is replaced by what the event
     * counts, which stays counted here until a quota state covers the event. Repeated calls are ignored.
     */
    public void settle(Reservation reservation, UsageRecorded event) {
        if (reservation == null || !reservation.settled.compareAndSet(false, true)) {
            return;
        }
        boolean counted = event.countsTowardQuota();
        BigDecimal cost =
                counted && reservation.price != null ? reservation.price.cost(event.tokens()) : BigDecimal.ZERO;
        Local local = new Local(reservation.periods, counted ? 1 : 0, counted ? event.totalTokens() : 0, cost);
        for (Ledger ledger : new Ledger[] {reservation.tenant, reservation.app}) {
            if (ledger != null) {
                synchronized (ledger) {
                    ledger.add(reservation.periods, -1, -reservation.tokens, reservation.cost.negate());
                    ledger.add(local.periods, local.requests, local.tokens, local.cost);
                }
            }
        }
        if (local.requests > 0 || local.tokens > 0 || local.cost.signum() > 0) {
            unpublished.put(event.eventId(), new Pending(reservation.tenant, reservation.app, local));
        }
    }

    /**
     * Counts an attempt the request moved on from ({@link UsageRecorded#failedOver()}): its tokens and
     * cost, never the request (the attempt that answers the client settles the reservation), until a
     * quota state covers its event.
     */
    public void attempted(Reservation reservation, UsageRecorded event) {
        if (reservation == null || !event.countsTowardQuota()) {
            return;
        }
        BigDecimal cost = reservation.price != null ? reservation.price.cost(event.tokens()) : BigDecimal.ZERO;
        if (event.totalTokens() == 0 && cost.signum() == 0) {
            return;
        }
        Local local = new Local(reservation.periods, 0, event.totalTokens(), cost);
        for (Ledger ledger : new Ledger[] {reservation.tenant, reservation.app}) {
            if (ledger != null) {
                synchronized (ledger) {
                    ledger.add(local.periods, 0, local.tokens, local.cost);
                }
            }
        }
        unpublished.put(event.eventId(), new Pending(reservation.tenant, reservation.app, local));
    }

    /** Gives back what a reservation holds, for a request that is refused after all (counts nothing). */
    public void release(Reservation reservation) {
        if (reservation == null || !reservation.settled.compareAndSet(false, true)) {
            return;
        }
        for (Ledger ledger : new Ledger[] {reservation.tenant, reservation.app}) {
            if (ledger != null) {
                synchronized (ledger) {
                    ledger.add(reservation.periods, -1, -reservation.tokens, reservation.cost.negate());
                }
            }
        }
    }

    /** A usage event reached Kafka at this partition and offset. */
    public void published(UUID eventId, int partition, long offset) {
        Pending pending = unpublished.remove(eventId);
        if (pending == null) {
            return;
        }
        for (Ledger ledger : new Ledger[] {pending.tenant, pending.app}) {
            if (ledger != null) {
                synchronized (ledger) {
                    ledger.published(pending.local, partition, offset);
                }
            }
        }
    }

    /** What analytics has counted for a tenant or an app. */
    public void apply(QuotaState state) {
        Ledger ledger = ledger(state.key());
        synchronized (ledger) {
            ledger.apply(state);
        }
    }

    private Ledger ledger(String scope) {
        return ledgers.computeIfAbsent(scope, Ledger::new);
    }

    /** Usage this edge counted for one request, in the periods it was admitted in. */
    private record Local(QuotaPeriods periods, long requests, long tokens, BigDecimal cost, int partition) {
        Local(QuotaPeriods periods, long requests, long tokens, BigDecimal cost) {
            this(periods, requests, tokens, cost, -1);
        }

        Local at(int partition) {
            return new Local(periods, requests, tokens, cost, partition);
        }

        Local plus(Local other) {
            return new Local(
                    periods, requests + other.requests, tokens + other.tokens, cost.add(other.cost), partition);
        }
    }

    private record Pending(Ledger tenant, Ledger app, Local local) {}

    /** One tenant's or one app's quota view; every method runs under the ledger's lock. */
    static final class Ledger {

        private final String scope;
        private QuotaState known;
        private int coveredPartition = -1;
        private long coveredOffset = -1;
        private QuotaPeriods periods;
        /** This edge's in-flight and not-yet-counted usage in the current day and month. */
        private long dayRequests;

        private long dayTokens;
        private long monthRequests;
        private long monthTokens;
        private BigDecimal dayCost = BigDecimal.ZERO;
        private BigDecimal monthCost = BigDecimal.ZERO;
        /** Published usage not yet covered by a quota state, by offset. */
        private final NavigableMap<Long, Local> awaiting = new TreeMap<>();

        Ledger(String scope) {
            this.scope = scope;
        }

        /** The current periods: those held while they last, so the request path rarely does calendar math. */
        QuotaPeriods periodsAt(ZoneId zone, Instant now) {
            return periods != null && periods.contain(zone, now) ? periods : QuotaPeriods.at(zone, now);
        }

        Refusal check(QuotaLimits limits, QuotaPeriods now, Instant instant) {
            roll(now);
            PeriodUsage day = known(known == null ? null : known.day(), now.dayStart());
            PeriodUsage month = known(known == null ? null : known.month(), now.monthStart());
            if (over(limits.requestsPerDay(), requests(day) + dayRequests + 1)) {
                return refusal(QuotaPeriods.REQUESTS_PER_DAY, now.dayEnd(), instant);
            }
            if (over(limits.requestsPerMonth(), requests(month) + monthRequests + 1)) {
                return refusal(QuotaPeriods.REQUESTS_PER_MONTH, now.monthEnd(), instant);
            }
            return null;
        }

        /**
         * The most output tokens this ledger's token and cost limits leave a request of this demand, and
         * the limit that binds first. Runs after {@link #check}, in the same periods.
         */
        Room room(QuotaLimits limits, QuotaPeriods now, Demand demand) {
            PeriodUsage day = known(known == null ? null : known.day(), now.dayStart());
            PeriodUsage month = known(known == null ? null : known.month(), now.monthStart());
            Room room = Room.UNLIMITED;
            room = room.tighter(tokenRoom(
                    QuotaPeriods.TOKENS_PER_DAY, limits.tokensPerDay(), tokens(day) + dayTokens, demand, now.dayEnd()));
            room = room.tighter(tokenRoom(
                    QuotaPeriods.TOKENS_PER_MONTH,
                    limits.tokensPerMonth(),
                    tokens(month) + monthTokens,
                    demand,
                    now.monthEnd()));
            room = room.tighter(costRoom(
                    QuotaPeriods.COST_PER_DAY, limits.costPerDayUsd(), cost(day).add(dayCost), demand, now.dayEnd()));
            room = room.tighter(costRoom(
                    QuotaPeriods.COST_PER_MONTH,
                    limits.costPerMonthUsd(),
                    cost(month).add(monthCost),
                    demand,
                    now.monthEnd()));
            return room;
        }

        private Room tokenRoom(String name, Long limit, long used, Demand demand, Instant periodEnd) {
            if (limit == null) {
                return Room.UNLIMITED;
            }
            long left = limit - used;
            return new Room(left <= 0 ? -1 : left - demand.promptTokens(), name, periodEnd, this);
        }

        private Room costRoom(String name, BigDecimal limit, BigDecimal used, Demand demand, Instant periodEnd) {
            if (limit == null) {
                return Room.UNLIMITED;
            }
            BigDecimal left = limit.subtract(used);
            if (left.signum() <= 0) {
                return new Room(-1, name, periodEnd, this);
            }
            // an unpriced model reserves no cost (analytics charges it none) but may not pass a spent quota
            long output = demand.price() == null
                    ? Long.MAX_VALUE
                    : demand.price().maxOutputWithin(demand.promptTokens(), left);
            return new Room(output, name, periodEnd, this);
        }

        /** Adds (or, negative, removes) usage of the given periods, where they are still current. */
        void add(QuotaPeriods of, long requests, long tokens, BigDecimal cost) {
            if (periods == null) {
                return;
            }
            if (of.dayStart().equals(periods.dayStart())) {
                dayRequests += requests;
                dayTokens += tokens;
                dayCost = dayCost.add(cost);
            }
            if (of.monthStart().equals(periods.monthStart())) {
                monthRequests += requests;
                monthTokens += tokens;
                monthCost = monthCost.add(cost);
            }
        }

        void published(Local local, int partition, long offset) {
            if (partition == coveredPartition && offset <= coveredOffset) {
                add(local.periods, -local.requests, -local.tokens, local.cost.negate());
                return;
            }
            awaiting.merge(offset, local.at(partition), Local::plus);
            if (awaiting.size() > MAX_LOCAL_ENTRIES) {
                // Merge the two oldest into the later offset: still counted, freed slightly later.
                Map.Entry<Long, Local> oldest = awaiting.pollFirstEntry();
                awaiting.merge(awaiting.firstKey(), oldest.getValue(), Local::plus);
            }
        }

        void apply(QuotaState state) {
            Long offset = state.usageOffset();
            Integer partition = state.usagePartition();
            if (offset != null && partition != null) {
                if (partition == coveredPartition && offset < coveredOffset) {
                    return; // an older state than the one held
                }
                coveredPartition = partition;
                coveredOffset = offset;
                Iterator<Local> covered =
                        awaiting.headMap(offset, true).values().iterator();
                while (covered.hasNext()) {
                    Local local = covered.next();
                    if (local.partition() == partition) {
                        add(
                                local.periods(),
                                -local.requests(),
                                -local.tokens(),
                                local.cost().negate());
                        covered.remove();
                    }
                }
            }
            known = state;
        }

        private void roll(QuotaPeriods now) {
            if (periods != null && periods.equals(now)) {
                return;
            }
            if (periods == null || !periods.dayStart().equals(now.dayStart())) {
                dayRequests = 0;
                dayTokens = 0;
                dayCost = BigDecimal.ZERO;
            }
            if (periods == null || !periods.monthStart().equals(now.monthStart())) {
                monthRequests = 0;
                monthTokens = 0;
                monthCost = BigDecimal.ZERO;
            }
            // Usage admitted in an earlier period stays there; analytics counts it by its own time.
            periods = now;
        }

        private static PeriodUsage known(PeriodUsage usage, Instant periodStart) {
            return usage != null && periodStart.equals(usage.start()) ? usage : null;
        }

        private static long requests(PeriodUsage usage) {
            return usage == null ? 0 : usage.requests();
        }

        private static long tokens(PeriodUsage usage) {
            return usage == null ? 0 : usage.tokens();
        }

        private static boolean over(Long limit, long wouldBe) {
            return limit != null && wouldBe > limit;
        }

        private static BigDecimal cost(PeriodUsage usage) {
            return usage == null || usage.costUsd() == null ? BigDecimal.ZERO : usage.costUsd();
        }

        private Refusal refusal(String limit, Instant periodEnd, Instant now) {
            long seconds = Duration.between(now, periodEnd).toSeconds() + 1;
            return new Refusal(limit + (scope.indexOf('/') < 0 ? " (tenant)" : " (app)"), Math.max(1, seconds));
        }
    }
}
