package dev.symbolon.webhooks.delivery;

import dev.symbolon.contracts.Notification;
import dev.symbolon.contracts.TenantConfigSnapshot;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Deliveries and their attempts in PostgreSQL: what is due survives restarts. */
@Repository
public class Deliveries {

    /** The longest wait a receiver's {@code Retry-After} can ask for, if the schedule has no longer step. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A claimed delivery is not claimed again for this long (a crash mid-attempt retries after it). */
    static final Duration LEASE = Duration.ofMinutes(5);

    private final JdbcTemplate jdbc;

    Deliveries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** One delivery per subscribed endpoint that is not disabled; a notification seen again adds nothing. */
    public int enqueue(Notification notification, List<TenantConfigSnapshot.WebhookEndpoint> endpoints) {
        return enqueue(notification, endpoints, null);
    }

    /**
     * As {@link #enqueue(Notification, List)}, each delivery continuing the trace of {@code traceparent}
     * (null: none) however much later it is attempted.
     */
    @Transactional
    public int enqueue(
            Notification notification, List<TenantConfigSnapshot.WebhookEndpoint> endpoints, String traceparent) {
        byte[] payload = JSON.writeValueAsBytes(new java.util.LinkedHashMap<>(java.util.Map.of(
                "type", notification.type(),
                "timestamp", notification.occurredAt().toString(),
                "data", notification.data())));
        int added = 0;
        for (TenantConfigSnapshot.WebhookEndpoint endpoint : endpoints) {
            String disabled = jdbc.query(
                    "select disabled_reason from endpoint_state where endpoint_id = ?",
                    rs -> rs.next() ? rs.getString(1) : null,
                    endpoint.endpointId());
            if (disabled != null) {
                continue;
            }
            added += jdbc.update(
                    "insert into delivery (webhook_id, tenant_id, endpoint_id, url, event_type, payload, status,"
                            + " next_attempt_at, traceparent) values (?, ?, ?, ?, ?, ?, 'PENDING', now(), ?)"
                            + " on conflict (webhook_id, endpoint_id) do nothing",
                    notification.eventId().toString(),
                    notification.tenantId(),
                    endpoint.endpointId(),
                    endpoint.url(),
                    notification.type(),
                    payload,
                    traceparent);
        }
        return added;
    }

    /** Due deliveries of endpoints with room, leased to this worker. */
    @Transactional
    public List<Due> claim(int limit, Set<String> saturatedEndpoints) {
        return jdbc.query(
                """
                update delivery set next_attempt_at = now() + make_interval(secs => ?)
                where delivery_id in (
                    select delivery_id from delivery
                    where status = 'PENDING' and next_attempt_at <= now() and not (endpoint_id = any (?))
                    order by next_attempt_at limit ? for update skip locked)
                returning delivery_id, webhook_id, tenant_id, endpoint_id, url, payload, attempts, created_at,
                    traceparent
                """,
                ps -> {
                    ps.setLong(1, LEASE.toSeconds());
                    ps.setArray(2, ps.getConnection().createArrayOf("text", saturatedEndpoints.toArray()));
                    ps.setInt(3, limit);
                },
                (rs, n) -> new Due(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getBytes(6),
                        rs.getInt(7),
                        rs.getTimestamp(8).toInstant(),
                        rs.getString(9)));
    }

    /** Gives a claimed delivery back, to be picked up on a later round. */
    public void release(long deliveryId) {
        jdbc.update(
                "update delivery set next_attempt_at = now() where delivery_id = ? and status = 'PENDING'", deliveryId);
    }

    /**
     * Records one attempt and decides what comes next. A receiver's {@code Retry-After} pushes the next
     * attempt out to at least that (at most the schedule's longest step or an hour), never earlier.
     */
    @Transactional
    public Next record(
            Due due,
            Instant started,
            long latencyMs,
            Integer status,
            String error,
            Duration retryAfter,
            List<Duration> schedule) {
        int attempt = due.attempts() + 1; // within the current run of the schedule (a replay starts a new run)
        jdbc.update(
                "insert into attempt (delivery_id, attempt, started_at, latency_ms, status_code, error)"
                        + " select ?, coalesce(max(attempt), 0) + 1, ?, ?, ?, ? from attempt where delivery_id = ?",
                due.deliveryId(),
                Timestamp.from(started),
                latencyMs,
                status,
                error,
                due.deliveryId());
        if (status != null && status >= 200 && status < 300) {
            jdbc.update(
                    "update delivery set status = 'SUCCEEDED', attempts = ?, last_status_code = ?, last_error = null,"
                            + " finished_at = now(), next_attempt_at = null where delivery_id = ?",
                    attempt,
                    status,
                    due.deliveryId());
            state(due, null, false);
            return Next.DONE;
        }
        if (status != null && status == 410) {
            jdbc.update(
                    "update delivery set status = 'CANCELLED', attempts = ?, last_status_code = 410, finished_at = now(),"
                            + " next_attempt_at = null where delivery_id = ?",
                    attempt,
                    due.deliveryId());
            jdbc.update(
                    "update delivery set status = 'CANCELLED', last_error = 'endpoint disabled (410 Gone)',"
                            + " finished_at = now(), next_attempt_at = null where endpoint_id = ? and status = 'PENDING'",
                    due.endpointId());
            state(due, "the endpoint answered 410 Gone", false);
            return Next.DISABLED;
        }
        if (attempt > schedule.size()) {
            jdbc.update(
                    "update delivery set status = 'DEAD', attempts = ?, last_status_code = ?, last_error = ?,"
                            + " finished_at = now(), next_attempt_at = null where delivery_id = ?",
                    attempt,
                    status,
                    error,
                    due.deliveryId());
            state(due, null, true);
            return Next.DEAD;
        }
        Duration wait = schedule.get(attempt - 1);
        long jittered = (long)
                (wait.toMillis() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        if (retryAfter != null) {
            // at most the schedule's longest step, or an hour if that is longer: a receiver cannot park
            // a delivery for days
            long cap = Math.max(
                    schedule.stream().max(Duration::compareTo).orElse(wait).toMillis(), MAX_RETRY_AFTER.toMillis());
            long asked = Math.min(retryAfter.toMillis(), cap);
            jittered = Math.max(jittered, asked);
        }
        jdbc.update(
                "update delivery set attempts = ?, last_status_code = ?, last_error = ?,"
                        + " next_attempt_at = now() + make_interval(secs => ?) where delivery_id = ?",
                attempt,
                status,
                error,
                jittered / 1000.0,
                due.deliveryId());
        return Next.RETRY;
    }

    private void state(Due due, String disabledReason, boolean failing) {
        jdbc.update(
                """
                insert into endpoint_state (endpoint_id, tenant_id, disabled_reason, failing, updated_at)
                values (?, ?, ?, ?, now())
                on conflict (endpoint_id) do update set
                    disabled_reason = coalesce(excluded.disabled_reason, endpoint_state.disabled_reason),
                    failing = excluded.failing, updated_at = now()
                """,
                due.endpointId(),
                due.tenantId(),
                disabledReason,
                failing);
    }

    /** A delivery leased for one attempt. */
    public record Due(
            long deliveryId,
            String webhookId,
            String tenantId,
            String endpointId,
            String url,
            byte[] payload,
            int attempts,
            Instant createdAt,
            String traceparent) {}

    public enum Next {
        DONE,
        RETRY,
        DEAD,
        DISABLED
    }
}
