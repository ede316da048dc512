package dev.symbolon.analytics.quota;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import java.math.BigDecimal;
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

    /** The current state of a tenant ({@code t_1}) or app ({@code t_1/app_1}). */
    public QuotaState state(String key, Instant now) {
        int slash = key.indexOf('/');
        String tenantId = slash < 0 ? key : key.substring(0, slash);
        String appId = slash < 0 ? null : key.substring(slash + 1);
        QuotaPeriods periods = QuotaPeriods.at(tenants.zone(tenantId), now);
        QuotaState.PeriodUsage day = usage(tenantId, appId, "day", periods.dayStart(), periods.dayEnd());
        QuotaState.PeriodUsage month = usage(tenantId, appId, "month", periods.monthStart(), periods.monthEnd());
        TenantConfigSnapshot.Policy policy =
                appId == null ? tenants.tenantPolicy(tenantId) : tenants.appPolicy(tenantId, appId);
        String reason = exhausted(policy, day, month);
        Instant until = reason == null ? null : reason.endsWith("day") ? day.end() : month.end();
        Object[] cursor = jdbc.query(
                "select usage_partition, usage_offset from quota_cursor where tenant_id = ?",
                rs -> rs.next() ? new Object[] {rs.getInt(1), rs.getLong(2)} : new Object[] {null, null},
                tenantId);
        return new QuotaState(
                UUID.randomUUID(),
                now,
                tenantId,
                QuotaState.CURRENT_VERSION,
                appId,
                day,
                month,
                reason != null,
                reason,
                until,
                (Integer) cursor[0],
                (Long) cursor[1]);
    }

    private QuotaState.PeriodUsage usage(String tenantId, String appId, String period, Instant start, Instant end) {
        return jdbc.query(
                "select requests, tokens, cost_usd from quota_usage where tenant_id = ? and app_id = ? and period = ?"
                        + " and period_start = ?",
                rs -> rs.next()
                        ? new QuotaState.PeriodUsage(start, end, rs.getLong(1), rs.getLong(2), rs.getBigDecimal(3))
                        : new QuotaState.PeriodUsage(start, end, 0, 0, BigDecimal.ZERO),
                tenantId,
                appId == null ? "" : appId,
                period,
                Timestamp.from(start));
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
