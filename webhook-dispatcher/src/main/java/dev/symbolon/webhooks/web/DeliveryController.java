package dev.symbolon.webhooks.web;

import dev.symbolon.webhooks.delivery.TestPings;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Deliveries and attempts per tenant and endpoint, replays and endpoint health. Every query is scoped
 * by the tenant in the path ({@link AdminAccessFilter} checks the caller may see it), so an id of
 * another tenant's delivery is a 404.
 */
@RestController
class DeliveryController {

    private static final List<String> STATUSES = List.of("PENDING", "SUCCEEDED", "DEAD", "CANCELLED");

    private final JdbcTemplate jdbc;
    private final TestPings pings;

    DeliveryController(JdbcTemplate jdbc, TestPings pings) {
        this.jdbc = jdbc;
        this.pings = pings;
    }

    /** Sends a {@code webhook.test} event to the endpoint now (signed, retried like any other). */
    @PostMapping("/webhooks/tenants/{tenantId}/endpoints/{endpointId}/test")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, Object> test(@PathVariable String tenantId, @PathVariable String endpointId) {
        return pings.ping(tenantId, endpointId)
                .<Map<String, Object>>map(id -> Map.of("webhookId", id))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no such endpoint"));
    }

    /** Newest first; {@code before} (a delivery id) pages on. */
    @GetMapping("/webhooks/tenants/{tenantId}/deliveries")
    Page deliveries(
            @PathVariable String tenantId,
            @RequestParam(required = false) String endpointId,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) Long before,
            @RequestParam(defaultValue = "50") int limit) {
        if (limit < 1 || limit > 500) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be between 1 and 500");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "status is one of " + STATUSES);
        }
        List<Delivery> items = jdbc.query(
                "select delivery_id, webhook_id, endpoint_id, event_type, status, attempts, last_status_code,"
                        + " last_error, next_attempt_at, created_at, finished_at from delivery"
                        + " where tenant_id = ? and (?::text is null or endpoint_id = ?)"
                        + " and (?::text is null or status = ?) and (?::bigint is null or delivery_id < ?)"
                        + " order by delivery_id desc limit ?",
                (rs, n) -> new Delivery(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getInt(6),
                        (Integer) rs.getObject(7),
                        rs.getString(8),
                        instant(rs.getTimestamp(9)),
                        instant(rs.getTimestamp(10)),
                        instant(rs.getTimestamp(11))),
                tenantId,
                endpointId,
                endpointId,
                status,
                status,
                before,
                before,
                limit);
        Long next = items.size() == limit ? items.get(items.size() - 1).deliveryId() : null;
        return new Page(items, next);
    }

    @GetMapping("/webhooks/tenants/{tenantId}/deliveries/{deliveryId}/attempts")
    List<Attempt> attempts(@PathVariable String tenantId, @PathVariable long deliveryId) {
        owned(tenantId, deliveryId);
        return jdbc.query(
                "select attempt, started_at, latency_ms, status_code, error from attempt where delivery_id = ?"
                        + " order by attempt",
                (rs, n) -> new Attempt(
                        rs.getInt(1),
                        instant(rs.getTimestamp(2)),
                        rs.getLong(3),
                        (Integer) rs.getObject(4),
                        rs.getString(5)),
                deliveryId);
    }

    /** Sends one delivery again from the start of the schedule, with its same webhook-id. */
    @PostMapping("/webhooks/tenants/{tenantId}/deliveries/{deliveryId}/replay")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, Object> replay(@PathVariable String tenantId, @PathVariable long deliveryId) {
        owned(tenantId, deliveryId);
        int rows = jdbc.update(
                "update delivery set status = 'PENDING', attempts = 0, next_attempt_at = now(), finished_at = null"
                        + " where delivery_id = ? and tenant_id = ? and status <> 'PENDING'",
                deliveryId,
                tenantId);
        return Map.of("replayed", rows);
    }

    /** Sends every dead letter of an endpoint again. */
    @PostMapping("/webhooks/tenants/{tenantId}/endpoints/{endpointId}/replay-dead")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, Object> replayDead(@PathVariable String tenantId, @PathVariable String endpointId) {
        int rows = jdbc.update(
                "update delivery set status = 'PENDING', attempts = 0, next_attempt_at = now(), finished_at = null"
                        + " where tenant_id = ? and endpoint_id = ? and status = 'DEAD'",
                tenantId,
                endpointId);
        return Map.of("replayed", rows);
    }

    /** Lets a disabled (410) or failing endpoint receive again. */
    @PostMapping("/webhooks/tenants/{tenantId}/endpoints/{endpointId}/enable")
    Map<String, Object> enable(@PathVariable String tenantId, @PathVariable String endpointId) {
        int rows = jdbc.update(
                "update endpoint_state set disabled_reason = null, failing = false, updated_at = now()"
                        + " where tenant_id = ? and endpoint_id = ?",
                tenantId,
                endpointId);
        return Map.of("enabled", rows == 1);
    }

    /** Health of an endpoint over the last 24 hours. */
    @GetMapping("/webhooks/tenants/{tenantId}/endpoints/{endpointId}/health")
    Health health(@PathVariable String tenantId, @PathVariable String endpointId) {
        Map<String, Object> state = jdbc.query(
                "select disabled_reason, failing from endpoint_state where tenant_id = ? and endpoint_id = ?",
                rs -> rs.next()
                        ? Map.<String, Object>of(
                                "disabled", String.valueOf(rs.getString(1)), "failing", rs.getBoolean(2))
                        : Map.<String, Object>of("disabled", "null", "failing", false),
                tenantId,
                endpointId);
        Timestamp since = Timestamp.from(Instant.now().minusSeconds(86_400));
        Map<String, Object> counts = jdbc.queryForMap(
                "select count(*) filter (where status = 'SUCCEEDED') as succeeded,"
                        + " count(*) filter (where status = 'PENDING') as pending,"
                        + " count(*) filter (where status = 'DEAD') as dead"
                        + " from delivery where tenant_id = ? and endpoint_id = ? and created_at >= ?",
                tenantId,
                endpointId,
                since);
        Map<String, Object> attempts = jdbc.queryForMap(
                "select count(*) as attempts, count(*) filter (where a.status_code between 200 and 299) as ok,"
                        + " percentile_cont(0.5) within group (order by a.latency_ms) as p50,"
                        + " percentile_cont(0.99) within group (order by a.latency_ms) as p99"
                        + " from attempt a join delivery d on d.delivery_id = a.delivery_id"
                        + " where d.tenant_id = ? and d.endpoint_id = ? and a.started_at >= ?",
                tenantId,
                endpointId,
                since);
        String disabled = (String) state.get("disabled");
        return new Health(
                endpointId,
                "null".equals(disabled) ? null : disabled,
                (Boolean) state.get("failing"),
                ((Number) counts.get("succeeded")).longValue(),
                ((Number) counts.get("pending")).longValue(),
                ((Number) counts.get("dead")).longValue(),
                ((Number) attempts.get("attempts")).longValue(),
                ((Number) attempts.get("ok")).longValue(),
                attempts.get("p50") == null ? null : ((Number) attempts.get("p50")).longValue(),
                attempts.get("p99") == null ? null : ((Number) attempts.get("p99")).longValue());
    }

    private void owned(String tenantId, long deliveryId) {
        Integer found = jdbc.queryForObject(
                "select count(*) from delivery where delivery_id = ? and tenant_id = ?",
                Integer.class,
                deliveryId,
                tenantId);
        if (found == null || found == 0) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no such delivery");
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    record Delivery(
            long deliveryId,
            String webhookId,
            String endpointId,
            String eventType,
            String status,
            int attempts,
            Integer lastStatusCode,
            String lastError,
            Instant nextAttemptAt,
            Instant createdAt,
            Instant finishedAt) {}

    record Page(List<Delivery> items, Long nextBefore) {}

    record Attempt(int attempt, Instant startedAt, long latencyMs, Integer statusCode, String error) {}

    record Health(
            String endpointId,
            String disabledReason,
            boolean failing,
            long succeeded24h,
            long pending,
            long dead24h,
            long attempts24h,
            long successfulAttempts24h,
            Long latencyP50Ms,
            Long latencyP99Ms) {}
}
