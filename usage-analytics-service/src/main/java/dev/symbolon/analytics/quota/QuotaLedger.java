package dev.symbolon.analytics.quota;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Notification;
import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.support.outbox.Outbox;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Usage against quotas, kept in the ingest transaction: per tenant and per app, per calendar day and
 * month of the tenant's time zone, for facts that count towards quotas
 * ({@link UsageRecorded#countsTowardQuota()}, the edge's rule too). Also records how far each tenant's
 * usage is counted (its {@code usage-recorded.v1} offset) and, once per threshold and period, writes
 * the threshold notification to the outbox.
 */
@Repository
public class QuotaLedger {

    /** Thresholds when a policy names none. */
    static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);

    private final JdbcTemplate jdbc;
    private final TenantDirectory tenants;
    private final Outbox outbox;

    QuotaLedger(JdbcTemplate jdbc, TenantDirectory tenants, Outbox outbox) {
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.tenants = tenants;
    }

    /** One newly stored fact with its exact cost (null: unpriced, adds no cost). */
    /**
     * @param traceparent the trace of the event's ingest (null: none), which a threshold notification
     *     the event triggers continues
     */
    public record Counted(UsageRecorded event, BigDecimal cost, String traceparent) {}

    /** How far a tenant's usage is counted after this batch. */
    public record Cursor(String tenantId, int partition, long offset) {}

    /**
     * Adds new facts to the quota periods they happened in, moves the tenants' cursors, and writes
     * the notifications of thresholds crossed for the first time. Runs in the caller's transaction.
     *
     * @return the tenant/app keys whose state changed ({@code tenantId} or {@code tenantId/appId})
     */
    public Set<String> count(List<Counted> fresh, List<Cursor> cursors) {
        TreeMap<String, Delta> deltas = periods(fresh, true);
        write(deltas);
        countAgainstAllowances(fresh);
        if (!cursors.isEmpty()) {
            jdbc.batchUpdate(
                    """
                    insert into quota_cursor (tenant_id, usage_partition, usage_offset) values (?, ?, ?)
                    on conflict (tenant_id) do update set usage_partition = excluded.usage_partition,
                        usage_offset = excluded.usage_offset
                    """,
                    cursors.stream()
                            .sorted(java.util.Comparator.comparing(Cursor::tenantId))
                            .map(c -> new Object[] {c.tenantId(), c.partition(), c.offset()})
                            .toList());
        }
        Set<String> changed = alert(deltas);
        cursors.forEach(c -> changed.add(c.tenantId()));
        return changed;
    }

    /**
     * Moves the cost of re-rated facts: each {@link Counted#cost()} is the difference to add (negative
     * when a price went down); requests and tokens stay. Runs in the caller's transaction.
     *
     * @return the tenant/app keys whose state changed
     */
    public Set<String> recost(List<Counted> differences) {
        TreeMap<String, Delta> deltas = periods(differences, false);
        write(deltas);
        return alert(deltas);
    }

    /**
     * Adds each fact to the allowance of the edge that admitted it ({@link UsageRecorded#edgeId()}), in
     * the periods it counts in: what the edge holds and has not been counted shrinks by as much as the
     * tenant's counted usage grows. Rows are updated in key order, as quota_usage's are.
     */
    private void countAgainstAllowances(List<Counted> fresh) {
        TreeMap<String, Object[]> rows = new TreeMap<>();
        for (Counted fact : fresh) {
            UsageRecorded e = fact.event();
            if (e.edgeId() == null || !e.countsTowardQuota()) {
                continue;
            }
            QuotaPeriods periods = QuotaPeriods.at(tenants.zone(e.tenantId()), e.occurredAt());
            for (String app : e.appId() == null ? new String[] {""} : new String[] {"", e.appId()}) {
                for (Object[] period : new Object[][] {{"day", periods.dayStart()}, {"month", periods.monthStart()}}) {
                    Object[] row = rows.computeIfAbsent(
                            String.join(
                                    "\u0000", e.tenantId(), app, (String) period[0], period[1].toString(), e.edgeId()),
                            k -> new Object[] {
                                0L,
                                0L,
                                BigDecimal.ZERO,
                                e.tenantId(),
                                app,
                                period[0],
                                Timestamp.from((Instant) period[1]),
                                e.edgeId()
                            });
                    row[0] = (Long) row[0] + (e.countsAsRequest() ? 1 : 0);
                    row[1] = (Long) row[1] + e.totalTokens();
                    row[2] = fact.cost() == null ? row[2] : ((BigDecimal) row[2]).add(fact.cost());
                }
            }
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate(
                    """
                    update quota_allowance set counted_requests = counted_requests + ?,
                        counted_tokens = counted_tokens + ?, counted_cost = counted_cost + ?
                    where tenant_id = ? and app_id = ? and period = ? and period_start = ? and edge_id = ?
                    """,
                    List.copyOf(rows.values()));
        }
    }

    /** What the facts add to each tenant/app period: costs, and requests and tokens when {@code count}. */
    private TreeMap<String, Delta> periods(List<Counted> facts, boolean count) {
        TreeMap<String, Delta> deltas = new TreeMap<>();
        for (Counted fact : facts) {
            UsageRecorded e = fact.event();
            if (!e.countsTowardQuota()) {
                continue;
            }
            QuotaPeriods periods = QuotaPeriods.at(tenants.zone(e.tenantId()), e.occurredAt());
            for (String app : e.appId() == null ? new String[] {""} : new String[] {"", e.appId()}) {
                add(deltas, e.tenantId(), app, "day", periods.dayStart(), periods.dayEnd(), fact, count);
                add(deltas, e.tenantId(), app, "month", periods.monthStart(), periods.monthEnd(), fact, count);
            }
        }
        return deltas;
    }

    private void write(TreeMap<String, Delta> deltas) {
        List<Object[]> rows = new ArrayList<>();
        for (Delta d : deltas.values()) {
            rows.add(new Object[] {
                d.tenantId,
                d.appId,
                d.period,
                Timestamp.from(d.start),
                Timestamp.from(d.end),
                d.requests,
                d.tokens,
                d.cost
            });
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate(
                    """
                    insert into quota_usage (tenant_id, app_id, period, period_start, period_end, requests, tokens, cost_usd)
                    values (?, ?, ?, ?, ?, ?, ?, ?)
                    on conflict (tenant_id, app_id, period, period_start) do update set
                        requests = quota_usage.requests + excluded.requests,
                        tokens = quota_usage.tokens + excluded.tokens,
                        cost_usd = quota_usage.cost_usd + excluded.cost_usd
                    """,
                    rows);
        }
    }

    private Set<String> alert(TreeMap<String, Delta> deltas) {
        Set<String> changed = new java.util.TreeSet<>();
        for (Delta d : deltas.values()) {
            changed.add(d.appId.isEmpty() ? d.tenantId : d.tenantId + "/" + d.appId);
            alertIfCrossed(d);
        }
        return changed;
    }

    /** Threshold notifications for the limits of this scope and period that the new total crossed. */
    private void alertIfCrossed(Delta d) {
        TenantConfigSnapshot.Policy policy =
                d.appId.isEmpty() ? tenants.tenantPolicy(d.tenantId) : tenants.appPolicy(d.tenantId, d.appId);
        if (policy == null) {
            return;
        }
        QuotaState.PeriodUsage usage = jdbc.query(
                "select requests, tokens, cost_usd from quota_usage where tenant_id = ? and app_id = ? and period = ?"
                        + " and period_start = ?",
                rs -> rs.next()
                        ? new QuotaState.PeriodUsage(d.start, d.end, rs.getLong(1), rs.getLong(2), rs.getBigDecimal(3))
                        : null,
                d.tenantId,
                d.appId,
                d.period,
                Timestamp.from(d.start));
        if (usage == null) {
            return;
        }
        List<Integer> thresholds = policy.alertThresholdsPercent() == null
                        || policy.alertThresholdsPercent().isEmpty()
                ? DEFAULT_THRESHOLDS
                : policy.alertThresholdsPercent();
        for (QuotaLimits.Limit limit : QuotaLimits.of(policy, d.period, usage)) {
            if (limit.max().signum() <= 0) {
                continue; // a zero limit blocks at once; there is no share of it to announce
            }
            for (int threshold : thresholds) {
                if (!limit.reached(threshold)) {
                    continue;
                }
                int inserted = jdbc.update(
                        "insert into quota_alert (tenant_id, app_id, quota, period_start, threshold)"
                                + " values (?, ?, ?, ?, ?) on conflict do nothing",
                        d.tenantId,
                        d.appId,
                        limit.name(),
                        Timestamp.from(d.start),
                        threshold);
                if (inserted == 1) {
                    enqueue(notification(d, limit.name(), threshold, limit.max(), limit.used()), d.traceparent);
                }
            }
        }
    }

    private Notification notification(Delta d, String quota, int threshold, BigDecimal limit, BigDecimal used) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (!d.appId.isEmpty()) {
            data.put("appId", d.appId);
        }
        data.put("quota", quota);
        data.put("thresholdPercent", threshold);
        data.put("limit", limit.toPlainString());
        data.put("used", used.toPlainString());
        data.put("periodStart", d.start.toString());
        data.put("periodEnd", d.end.toString());
        return new Notification(
                UUID.randomUUID(),
                Instant.now(),
                d.tenantId,
                Notification.CURRENT_VERSION,
                threshold >= 100 ? "quota.exhausted" : "quota.threshold_reached",
                data);
    }

    private void enqueue(Notification notification, String traceparent) {
        outbox.append(Topics.NOTIFICATION, notification.tenantId(), EventJson.encode(notification), traceparent);
    }

    private static void add(
            TreeMap<String, Delta> deltas,
            String tenantId,
            String appId,
            String period,
            Instant start,
            Instant end,
            Counted fact,
            boolean count) {
        Delta delta = deltas.computeIfAbsent(
                String.join("\u0000", tenantId, appId, period, start.toString()),
                k -> new Delta(tenantId, appId, period, start, end));
        if (count) {
            if (fact.event().countsAsRequest()) {
                delta.requests++; // once per client request: not for an attempt the edge moved on from
            }
            delta.tokens += fact.event().totalTokens();
        }
        if (fact.cost() != null) {
            delta.cost = delta.cost.add(fact.cost());
        }
        if (fact.traceparent() != null) {
            delta.traceparent = fact.traceparent(); // the last event in: the one that crossed a threshold
        }
    }

    private static final class Delta {
        final String tenantId;
        final String appId;
        final String period;
        final Instant start;
        final Instant end;
        long requests;
        long tokens;
        BigDecimal cost = BigDecimal.ZERO;
        /** The trace of the last event counted in (null: none traced). */
        String traceparent;

        Delta(String tenantId, String appId, String period, Instant start, Instant end) {
            this.tenantId = tenantId;
            this.appId = appId;
            this.period = period;
            this.start = start;
            this.end = end;
        }
    }
}
