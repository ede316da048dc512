package dev.symbolon.analytics.query;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads usage facts for the finance API. */
@Repository
class UsageQueries {

    private final JdbcClient jdbc;

    UsageQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Totals totals(String tenantId, Instant from, Instant to) {
        return jdbc.sql(
                        """
                        select count(*) as requests,
                               coalesce(sum(input_tokens), 0) as input_tokens,
                               coalesce(sum(output_tokens), 0) as output_tokens,
                               coalesce(sum(cached_input_tokens), 0) as cached_input_tokens
                        from usage_fact
                        where tenant_id = :tenantId and occurred_at >= :from and occurred_at < :to
                        """)
                .param("tenantId", tenantId)
                .param("from", Timestamp.from(from))
                .param("to", Timestamp.from(to))
                .query((rs, n) -> new Totals(
                        rs.getLong("requests"),
                        rs.getLong("input_tokens"),
                        rs.getLong("output_tokens"),
                        rs.getLong("cached_input_tokens")))
                .single();
    }

    List<Fact> recent(String tenantId, Instant from, Instant to, int limit) {
        return jdbc.sql(
                        """
                        select event_id, occurred_at, app_id, key_id, provider, model, endpoint, status,
                               outcome, input_tokens, output_tokens, cached_input_tokens, streamed, partial,
                               latency_ms, request_id
                        from usage_fact
                        where tenant_id = :tenantId and occurred_at >= :from and occurred_at < :to
                        order by occurred_at desc, event_id
                        limit :limit
                        """)
                .param("tenantId", tenantId)
                .param("from", Timestamp.from(from))
                .param("to", Timestamp.from(to))
                .param("limit", limit)
                .query((rs, n) -> new Fact(
                        rs.getObject("event_id", UUID.class),
                        rs.getTimestamp("occurred_at").toInstant(),
                        rs.getString("app_id"),
                        rs.getString("key_id"),
                        rs.getString("provider"),
                        rs.getString("model"),
                        rs.getString("endpoint"),
                        rs.getInt("status"),
                        rs.getString("outcome"),
                        rs.getLong("input_tokens"),
                        rs.getLong("output_tokens"),
                        rs.getLong("cached_input_tokens"),
                        rs.getBoolean("streamed"),
                        rs.getBoolean("partial"),
                        rs.getLong("latency_ms"),
                        rs.getString("request_id")))
                .list();
    }

    record Totals(long requests, long inputTokens, long outputTokens, long cachedInputTokens) {}

    record Fact(
            UUID eventId,
            Instant occurredAt,
            String appId,
            String keyId,
            String provider,
            String model,
            String endpoint,
            int status,
            String outcome,
            long inputTokens,
            long outputTokens,
            long cachedInputTokens,
            boolean streamed,
            boolean partial,
            long latencyMs,
            String requestId) {}
}
