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
                               coalesce(sum(cached_input_tokens), 0) as cached_input_tokens,
                               coalesce(sum(cost_usd), 0) as cost_usd,
                               count(*) filter (where not priced) as unpriced_requests
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
                        rs.getLong("cached_input_tokens"),
                        rs.getBigDecimal("cost_usd"),
                        rs.getLong("unpriced_requests")))
                .single();
    }

    List<Fact> recent(String tenantId, Instant from, Instant to, int limit) {
        return jdbc.sql(
                        """
                        select event_id, occurred_at, app_id, key_id, provider, model, endpoint, status,
                               outcome, input_tokens, output_tokens, cached_input_tokens, streamed, partial,
                               latency_ms, request_id, cost_usd, priced
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
                        rs.getString("request_id"),
                        rs.getBigDecimal("cost_usd"),
                        rs.getBoolean("priced")))
                .list();
    }

    /**
     * Requests, tokens and exact cost; {@code unpricedRequests} were recorded without a price (their
     * model has none in the price table), so {@code costUsd} leaves them out.
     */
    record Totals(
            long requests,
            long inputTokens,
            long outputTokens,
            long cachedInputTokens,
            java.math.BigDecimal costUsd,
            long unpricedRequests) {}

    /**
     * Cost and usage from the rollups, per bucket of a granularity (UTC hour, day or month) and the
     * chosen dimensions ({@code app}, {@code key}, {@code provider}, {@code model}).
     */
    List<Row> costs(String tenantId, Instant from, Instant to, String granularity, List<String> groupBy) {
        String dims = groupBy.stream().map(UsageQueries::column).reduce("", (a, b) -> a + ", " + b);
        return jdbc.sql("select bucket" + dims + ", sum(requests) as requests, sum(input_tokens) as input_tokens,"
                        + " sum(output_tokens) as output_tokens, sum(cached_input_tokens) as cached_input_tokens,"
                        + " sum(cost_usd) as cost_usd, sum(unpriced_requests) as unpriced_requests"
                        + " from usage_rollup where granularity = :g and tenant_id = :t and bucket >= :from and bucket < :to"
                        + " group by bucket" + dims + " order by bucket" + dims)
                .param("g", granularity)
                .param("t", tenantId)
                .param("from", Timestamp.from(from))
                .param("to", Timestamp.from(to))
                .query((rs, n) -> {
                    java.util.Map<String, String> group = new java.util.LinkedHashMap<>();
                    for (String dim : groupBy) {
                        group.put(dim, rs.getString(column(dim)));
                    }
                    return new Row(
                            rs.getTimestamp("bucket").toInstant(),
                            group,
                            new Totals(
                                    rs.getLong("requests"),
                                    rs.getLong("input_tokens"),
                                    rs.getLong("output_tokens"),
                                    rs.getLong("cached_input_tokens"),
                                    rs.getBigDecimal("cost_usd"),
                                    rs.getLong("unpriced_requests")));
                })
                .list();
    }

    /** The rollup column of a groupBy dimension (a fixed set: never user text in SQL). */
    static String column(String dimension) {
        return switch (dimension) {
            case "app" -> "app_id";
            case "key" -> "key_id";
            case "provider" -> "provider";
            case "model" -> "model";
            default -> throw new IllegalArgumentException("groupBy is any of app, key, provider, model");
        };
    }

    record Row(Instant bucket, java.util.Map<String, String> group, Totals totals) {}

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
            String requestId,
            java.math.BigDecimal costUsd,
            boolean priced) {}
}
