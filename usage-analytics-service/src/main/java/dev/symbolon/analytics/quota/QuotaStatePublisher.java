package dev.symbolon.analytics.quota;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Publishes {@code quota-state.v1} (compacted, key tenantId or tenantId/appId) for every tenant or app
 * whose usage changed: current day and month usage in the tenant's time zone, whether a quota is
 * exhausted, and the {@code usage-recorded.v1} offset the counts cover. Throttled per key
 * ({@code min-interval}) so a busy tenant does not flood the topic; a change is never dropped, only
 * folded into the next state, so an edge hears it within {@code min-interval} + {@code flush-interval}.
 */
@Component
public class QuotaStatePublisher {

    private final JdbcTemplate jdbc;
    private final TenantDirectory tenants;
    private final KafkaTemplate<String, byte[]> kafka;
    private final long minIntervalNanos;
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> lastSent = new ConcurrentHashMap<>();

    QuotaStatePublisher(
            JdbcTemplate jdbc,
            TenantDirectory tenants,
            KafkaTemplate<String, byte[]> kafka,
            @Value("${symbolon.analytics.quota-state.min-interval-ms:250}") long minIntervalMs) {
        this.jdbc = jdbc;
        this.tenants = tenants;
        this.kafka = kafka;
        this.minIntervalNanos = minIntervalMs * 1_000_000;
    }

    /** Keys whose counts changed in a committed batch. */
    public void changed(Set<String> keys) {
        dirty.addAll(keys);
    }

    @Scheduled(fixedDelayString = "${symbolon.analytics.quota-state.flush-interval-ms:100}")
    void flush() {
        long now = System.nanoTime();
        for (String key : List.copyOf(dirty)) {
            Long sent = lastSent.get(key);
            if (sent != null && now - sent < minIntervalNanos) {
                continue; // folded into the next state
            }
            dirty.remove(key);
            lastSent.put(key, now);
            QuotaState state = state(key, Instant.now());
            kafka.send(Topics.QUOTA_STATE, key, EventJson.encode(state)).whenComplete((result, error) -> {
                if (error != null) {
                    dirty.add(key); // tried again on the next flush
                }
            });
        }
        if (lastSent.size() > 100_000) {
            lastSent.entrySet().removeIf(e -> now - e.getValue() > minIntervalNanos);
        }
    }

    /**
     * The current state of a tenant ({@code t_1}) or app ({@code t_1/app_1}): its counts and the offset
     * they cover, read in one statement, so one snapshot. An edge forgets its own count of every event
     * a state covers; a batch committed between two reads would have made it forget usage the counts
     * did not hold yet.
     */
    public QuotaState state(String key, Instant now) {
        int slash = key.indexOf('/');
        String tenantId = slash < 0 ? key : key.substring(0, slash);
        String app = slash < 0 ? "" : key.substring(slash + 1);
        QuotaPeriods periods = QuotaPeriods.at(tenants.zone(tenantId), now);
        return jdbc.query(
                """
                select c.usage_partition, c.usage_offset, d.requests, d.tokens, d.cost_usd,
                       m.requests, m.tokens, m.cost_usd
                from (select 1) one
                left join quota_cursor c on c.tenant_id = ?
                left join quota_usage d on d.tenant_id = ? and d.app_id = ? and d.period = 'day'
                    and d.period_start = ?
                left join quota_usage m on m.tenant_id = ? and m.app_id = ? and m.period = 'month'
                    and m.period_start = ?
                """,
                rs -> {
                    rs.next();
                    QuotaState.PeriodUsage day = usage(rs, 3, periods.dayStart(), periods.dayEnd());
                    QuotaState.PeriodUsage month = usage(rs, 6, periods.monthStart(), periods.monthEnd());
                    Integer partition = rs.getObject(1, Integer.class);
                    Long offset = rs.getObject(2, Long.class);
                    TenantConfigSnapshot.Policy policy =
                            app.isEmpty() ? tenants.tenantPolicy(tenantId) : tenants.appPolicy(tenantId, app);
                    String reason = exhausted(policy, day, month);
                    Instant until = reason == null ? null : reason.endsWith("day") ? day.end() : month.end();
                    return new QuotaState(
                            UUID.randomUUID(),
                            now,
                            tenantId,
                            QuotaState.CURRENT_VERSION,
                            app.isEmpty() ? null : app,
                            day,
                            month,
                            reason != null,
                            reason,
                            until,
                            partition,
                            offset);
                },
                tenantId,
                tenantId,
                app,
                Timestamp.from(periods.dayStart()),
                tenantId,
                app,
                Timestamp.from(periods.monthStart()));
    }

    /** A period's counts from columns {@code first} (requests), +1 (tokens), +2 (cost); none: zero. */
    private static QuotaState.PeriodUsage usage(ResultSet rs, int first, Instant start, Instant end)
            throws SQLException {
        long requests = rs.getLong(first);
        return rs.wasNull()
                ? new QuotaState.PeriodUsage(start, end, 0, 0, BigDecimal.ZERO)
                : new QuotaState.PeriodUsage(start, end, requests, rs.getLong(first + 1), rs.getBigDecimal(first + 2));
    }

    /** Which quota is exhausted (day limits first), or null. */
    static String exhausted(
            TenantConfigSnapshot.Policy policy, QuotaState.PeriodUsage day, QuotaState.PeriodUsage month) {
        for (QuotaLimits.Limit limit : QuotaLimits.of(policy, "day", day)) {
            if (limit.reached(100)) {
                return limit.name();
            }
        }
        for (QuotaLimits.Limit limit : QuotaLimits.of(policy, "month", month)) {
            if (limit.reached(100)) {
                return limit.name();
            }
        }
        return null;
    }
}
