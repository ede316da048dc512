package dev.symbolon.edge.limits;

import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.QuotaState.PeriodUsage;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.policy.EffectivePolicy;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
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
 * <p>Requests are exact: a limit of 10 admits 10. Tokens admit while the period has room, counting
 * in-flight estimates; a single request may finish above the limit by what it used beyond its
 * estimate. Cost is priced by analytics only, so a cost quota closes when analytics reports it spent
 * (within a second of the event), not mid-request.
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

    /** The outcome of {@link #reserve}: a reservation to settle later, or a refusal. */
    public record Admission(Reservation reservation, Refusal refusal) {}

    /** What an admitted request holds until it is settled, exactly once. */
    public static final class Reservation {
        private final Ledger tenant;
        private final Ledger app;
        private final Periods periods;
        private final long tokens;
        private final AtomicBoolean settled = new AtomicBoolean();

        private Reservation(Ledger tenant, Ledger app, Periods periods, long tokens) {
            this.tenant = tenant;
            this.app = app;
            this.periods = periods;
            this.tokens = tokens;
        }
    }

    /**
     * Admits a request against the quotas of its tenant and app, reserving one request and the
     * estimated tokens, or names the quota that refuses it (reserving nothing then).
     */
    public Admission reserve(AppIdentity caller, EffectivePolicy policy, long estimatedTokens) {
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
                return admit(tenant, tenantLimits, app, appLimits, policy, now, estimatedTokens);
            }
            synchronized (app) {
                return admit(tenant, tenantLimits, app, appLimits, policy, now, estimatedTokens);
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
            long tokens) {
        Periods periods = (tenant != null ? tenant : app).periodsAt(policy.zone(), now);
        Refusal refusal = tenant == null ? null : tenant.check(tenantLimits, periods, now);
        if (refusal == null && app != null) {
            refusal = app.check(appLimits, periods, now);
        }
        if (refusal != null) {
            return new Admission(null, refusal);
        }
        if (tenant != null) {
            tenant.add(periods, 1, tokens);
        }
        if (app != null) {
            app.add(periods, 1, tokens);
        }
        return new Admission(new Reservation(tenant, app, periods, tokens), null);
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
        Local local = new Local(reservation.periods, counted ? 1 : 0, counted ? event.totalTokens() : 0);
        for (Ledger ledger : new Ledger[] {reservation.tenant, reservation.app}) {
            if (ledger != null) {
                synchronized (ledger) {
                    ledger.add(reservation.periods, -1, -reservation.tokens);
                    ledger.add(local.periods, local.requests, local.tokens);
                }
            }
        }
        if (local.requests > 0 || local.tokens > 0) {
            unpublished.put(event.eventId(), new Pending(reservation.tenant, reservation.app, local));
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

    /** The calendar day and month around an instant, in a time zone. */
    record Periods(ZoneId zone, Instant dayStart, Instant dayEnd, Instant monthStart, Instant monthEnd) {
        static Periods at(ZoneId zone, Instant now) {
            ZonedDateTime day = now.atZone(zone).truncatedTo(ChronoUnit.DAYS);
            ZonedDateTime month = day.withDayOfMonth(1);
            return new Periods(
                    zone,
                    day.toInstant(),
                    day.plusDays(1).toInstant(),
                    month.toInstant(),
                    month.plusMonths(1).toInstant());
        }

        boolean contain(ZoneId zone, Instant now) {
            return this.zone.equals(zone) && !now.isBefore(dayStart) && now.isBefore(dayEnd);
        }
    }

    /** Usage this edge counted for one request, in the periods it was admitted in. */
    private record Local(Periods periods, long requests, long tokens, int partition) {
        Local(Periods periods, long requests, long tokens) {
            this(periods, requests, tokens, -1);
        }

        Local at(int partition) {
            return new Local(periods, requests, tokens, partition);
        }

        Local plus(Local other) {
            return new Local(periods, requests + other.requests, tokens + other.tokens, partition);
        }
    }

    private record Pending(Ledger tenant, Ledger app, Local local) {}

    /** One tenant's or one app's quota view; every method runs under the ledger's lock. */
    static final class Ledger {

        private final String scope;
        private QuotaState known;
        private int coveredPartition = -1;
        private long coveredOffset = -1;
        private Periods periods;
        /** This edge's in-flight and not-yet-counted usage in the current day and month. */
        private long dayRequests;

        private long dayTokens;
        private long monthRequests;
        private long monthTokens;
        /** Published usage not yet covered by a quota state, by offset. */
        private final NavigableMap<Long, Local> awaiting = new TreeMap<>();

        Ledger(String scope) {
            this.scope = scope;
        }

        /** The current periods: those held while they last, so the request path rarely does calendar math. */
        Periods periodsAt(ZoneId zone, Instant now) {
            return periods != null && periods.contain(zone, now) ? periods : Periods.at(zone, now);
        }

        Refusal check(QuotaLimits limits, Periods now, Instant instant) {
            roll(now);
            PeriodUsage day = known(known == null ? null : known.day(), now.dayStart());
            PeriodUsage month = known(known == null ? null : known.month(), now.monthStart());
            if (over(limits.requestsPerDay(), requests(day) + dayRequests + 1)) {
                return refusal("requests-per-day", now.dayEnd(), instant);
            }
            if (over(limits.requestsPerMonth(), requests(month) + monthRequests + 1)) {
                return refusal("requests-per-month", now.monthEnd(), instant);
            }
            if (full(limits.tokensPerDay(), tokens(day) + dayTokens)) {
                return refusal("tokens-per-day", now.dayEnd(), instant);
            }
            if (full(limits.tokensPerMonth(), tokens(month) + monthTokens)) {
                return refusal("tokens-per-month", now.monthEnd(), instant);
            }
            if (spent(limits.costPerDayUsd(), day)) {
                return refusal("cost-per-day", now.dayEnd(), instant);
            }
            if (spent(limits.costPerMonthUsd(), month)) {
                return refusal("cost-per-month", now.monthEnd(), instant);
            }
            return null;
        }

        /** Adds (or, negative, removes) usage of the given periods, where they are still current. */
        void add(Periods of, long requests, long tokens) {
            if (periods == null) {
                return;
            }
            if (of.dayStart().equals(periods.dayStart())) {
                dayRequests += requests;
                dayTokens += tokens;
            }
            if (of.monthStart().equals(periods.monthStart())) {
                monthRequests += requests;
                monthTokens += tokens;
            }
        }

        void published(Local local, int partition, long offset) {
            if (partition == coveredPartition && offset <= coveredOffset) {
                add(local.periods, -local.requests, -local.tokens);
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
                        add(local.periods(), -local.requests(), -local.tokens());
                        covered.remove();
                    }
                }
            }
            known = state;
        }

        private void roll(Periods now) {
            if (periods != null && periods.equals(now)) {
                return;
            }
            if (periods == null || !periods.dayStart().equals(now.dayStart())) {
                dayRequests = 0;
                dayTokens = 0;
            }
            if (periods == null || !periods.monthStart().equals(now.monthStart())) {
                monthRequests = 0;
                monthTokens = 0;
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

        private static boolean full(Long limit, long used) {
            return limit != null && used >= limit;
        }

        private static boolean spent(BigDecimal limit, PeriodUsage usage) {
            return limit != null
                    && usage != null
                    && usage.costUsd() != null
                    && usage.costUsd().compareTo(limit) >= 0;
        }

        private Refusal refusal(String limit, Instant periodEnd, Instant now) {
            long seconds = Duration.between(now, periodEnd).toSeconds() + 1;
            return new Refusal(limit + (scope.indexOf('/') < 0 ? " (tenant)" : " (app)"), Math.max(1, seconds));
        }
    }
}
