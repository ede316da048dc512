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
    private final javax.sql.DataSource dataSource;
    private final org.springframework.transaction.PlatformTransactionManager transactions;

    UsageQueries(
            JdbcClient jdbc,
            javax.sql.DataSource dataSource,
            org.springframework.transaction.PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.transactions = transactions;
    }

    Totals totals(String tenantId, Instant from, Instant to) {
        return jdbc.sql(
                        """
                        select count(*) filter (where not failed_over) as requests,
                               coalesce(sum(input_tokens), 0) as input_tokens,
                               coalesce(sum(output_tokens), 0) as output_tokens,
                               coalesce(sum(cached_input_tokens), 0) as cached_input_tokens,
                               coalesce(sum(cost_usd), 0) as cost_usd,
                               count(*) filter (where not priced) as unpriced_requests,
                               coalesce(sum(cache_write_5m_tokens), 0) as cache_write_5m_tokens,
                               coalesce(sum(cache_write_1h_tokens), 0) as cache_write_1h_tokens,
                               coalesce(sum(reasoning_tokens), 0) as reasoning_tokens,
                               coalesce(sum(audio_input_tokens), 0) as audio_input_tokens,
                               coalesce(sum(audio_output_tokens), 0) as audio_output_tokens,
                               count(*) filter (where estimated) as estimated_requests,
                               count(*) filter (where failed_over) as failed_over_attempts
                        from usage_fact
                        where tenant_id = :tenantId and occurred_at >= :from and occurred_at < :to
                        """)
                .param("tenantId", tenantId)
                .param("from", Timestamp.from(from))
                .param("to", Timestamp.from(to))
                .query((rs, n) -> totals(rs))
                .single();
    }

    List<Fact> recent(String tenantId, Instant from, Instant to, int limit) {
        return jdbc.sql(
                        """
                        select event_id, occurred_at, app_id, key_id, provider, model, endpoint, status,
                               outcome, input_tokens, output_tokens, cached_input_tokens, streamed, partial,
                               latency_ms, request_id, cost_usd, priced, cache_write_5m_tokens,
                               cache_write_1h_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens,
                               estimated, attempt, failed_over
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
                        rs.getBoolean("priced"),
                        rs.getLong("cache_write_5m_tokens"),
                        rs.getLong("cache_write_1h_tokens"),
                        rs.getLong("reasoning_tokens"),
                        rs.getLong("audio_input_tokens"),
                        rs.getLong("audio_output_tokens"),
                        rs.getBoolean("estimated"),
                        rs.getInt("attempt"),
                        rs.getBoolean("failed_over")))
                .list();
    }

    /**
     * Requests, tokens and exact cost; {@code unpricedRequests} were recorded without a price (their
     * model has none in the price table), so {@code costUsd} leaves them out. {@code requests} counts
     * each client request once; {@code failedOverAttempts} the provider calls the edge moved on from to
     * another key (their tokens and cost are in the totals).
     */
    record Totals(
            long requests,
            long inputTokens,
            long outputTokens,
            long cachedInputTokens,
            java.math.BigDecimal costUsd,
            long unpricedRequests,
            long cacheWrite5mTokens,
            long cacheWrite1hTokens,
            long reasoningTokens,
            long audioInputTokens,
            long audioOutputTokens,
            long estimatedRequests,
            long failedOverAttempts) {

        static final Totals ZERO = new Totals(0, 0, 0, 0, java.math.BigDecimal.ZERO, 0, 0, 0, 0, 0, 0, 0, 0);

        Totals plus(Totals b) {
            return new Totals(
                    requests + b.requests,
                    inputTokens + b.inputTokens,
                    outputTokens + b.outputTokens,
                    cachedInputTokens + b.cachedInputTokens,
                    costUsd.add(b.costUsd),
                    unpricedRequests + b.unpricedRequests,
                    cacheWrite5mTokens + b.cacheWrite5mTokens,
                    cacheWrite1hTokens + b.cacheWrite1hTokens,
                    reasoningTokens + b.reasoningTokens,
                    audioInputTokens + b.audioInputTokens,
                    audioOutputTokens + b.audioOutputTokens,
                    estimatedRequests + b.estimatedRequests,
                    failedOverAttempts + b.failedOverAttempts);
        }
    }

    /**
     * Cost and usage from the rollups, per bucket of a granularity (UTC hour, day or month) and the
     * chosen dimensions ({@code app}, {@code key}, {@code provider}, {@code model}).
     */
    List<Row> costs(Filter filter, Instant from, Instant to, String granularity, List<String> groupBy) {
        String dims = groupBy.stream().map(UsageQueries::column).reduce("", (a, b) -> a + ", " + b);
        return filter.bind(jdbc.sql(
                        "select bucket" + dims + ", sum(requests) as requests, sum(input_tokens) as input_tokens,"
                                + " sum(output_tokens) as output_tokens, sum(cached_input_tokens) as cached_input_tokens,"
                                + " sum(cost_usd) as cost_usd, sum(unpriced_requests) as unpriced_requests,"
                                + ROLLUP_CLASSES
                                + " from usage_rollup where granularity = :g and bucket >= :from and bucket < :to"
                                + filter.where()
                                + " group by bucket" + dims + " order by bucket" + dims))
                .param("g", granularity)
                .param("from", Timestamp.from(from))
                .param("to", Timestamp.from(to))
                .query((rs, n) -> {
                    java.util.Map<String, String> group = new java.util.LinkedHashMap<>();
                    for (String dim : groupBy) {
                        group.put(dim, rs.getString(column(dim)));
                    }
                    return new Row(rs.getTimestamp("bucket").toInstant(), group, totals(rs));
                })
                .list();
    }

    private static final String ROLLUP_CLASSES = " sum(cache_write_5m_tokens) as cache_write_5m_tokens,"
            + " sum(cache_write_1h_tokens) as cache_write_1h_tokens, sum(reasoning_tokens) as reasoning_tokens,"
            + " sum(audio_input_tokens) as audio_input_tokens, sum(audio_output_tokens) as audio_output_tokens,"
            + " sum(estimated_requests) as estimated_requests, sum(failed_over_attempts) as failed_over_attempts";

    /** The largest groups of one dimension by a metric (from day rollups). */
    List<Ranked> top(Filter filter, Instant from, Instant to, String by, String metric, int limit) {
        String column = column(by);
        String order =
                switch (metric) {
                    case "cost" -> "cost_usd";
                    case "requests" -> "requests";
                    case "tokens" -> "input_tokens + output_tokens";
                    default -> throw new IllegalArgumentException("metric is cost, requests or tokens");
                };
        return filter.bind(jdbc.sql("select " + column + " as name, sum(requests) as requests,"
                        + " sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens,"
                        + " sum(cached_input_tokens) as cached_input_tokens, sum(cost_usd) as cost_usd,"
                        + " sum(unpriced_requests) as unpriced_requests,"
                        + ROLLUP_CLASSES
                        + " from usage_rollup where granularity = 'day' and bucket >= :from and bucket < :to"
                        + filter.where()
                        + " group by " + column + " order by sum(" + order + ") desc, " + column + " limit :limit"))
                .param("from", Timestamp.from(from))
                .param("to", Timestamp.from(to))
                .param("limit", limit)
                .query((rs, n) -> new Ranked(rs.getString("name"), totals(rs)))
                .list();
    }

    /**
     * Streams the facts of a range as CSV lines to {@code sink}, read with a server-side cursor (fetch
     * size 1,000), so a range of any size goes out without being held in memory.
     */
    void exportFacts(Filter filter, Instant from, Instant to, java.util.function.Consumer<String> sink) {
        org.springframework.jdbc.core.JdbcTemplate template =
                new org.springframework.jdbc.core.JdbcTemplate(dataSource);
        template.setFetchSize(1_000);
        org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate named =
                new org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate(template);
        org.springframework.jdbc.core.namedparam.MapSqlParameterSource params =
                filter.params().addValue("from", Timestamp.from(from)).addValue("to", Timestamp.from(to));
        sink.accept(CSV_HEADER);
        new org.springframework.transaction.support.TransactionTemplate(transactions)
                .executeWithoutResult(tx -> named.query(
                        "select occurred_at, tenant_id, app_id, key_id, provider, model, endpoint, status, outcome,"
                                + " input_tokens, output_tokens, cached_input_tokens, cost_usd, priced, request_id, event_id,"
                                + " cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, audio_input_tokens,"
                                + " audio_output_tokens, estimated, attempt, failed_over"
                                + " from usage_fact where occurred_at >= :from and occurred_at < :to" + filter.where()
                                + " order by occurred_at, event_id",
                        params,
                        rs -> {
                            StringBuilder line = new StringBuilder(160);
                            line.append(rs.getTimestamp(1).toInstant());
                            for (int c = 2; c <= 24; c++) {
                                line.append(',');
                                Object value = rs.getObject(c);
                                if (value instanceof java.math.BigDecimal decimal) {
                                    line.append(decimal.toPlainString());
                                } else if (value != null) {
                                    line.append(csv(value.toString()));
                                }
                            }
                            sink.accept(line.append('\n').toString());
                        }));
    }

    static final String CSV_HEADER = "occurred_at,tenant_id,app_id,key_id,provider,model,endpoint,status,outcome,"
            + "input_tokens,output_tokens,cached_input_tokens,cost_usd,priced,request_id,event_id,"
            + "cache_write_5m_tokens,cache_write_1h_tokens,reasoning_tokens,audio_input_tokens,audio_output_tokens,"
            + "estimated,attempt,failed_over\n";

    /**
     * A CSV field that no spreadsheet runs as a formula (OWASP CSV injection): a field whose first
     * character after any leading whitespace or controls is {@code = + - @ |}, or their full-width forms,
     * or that starts with a tab or carriage return, gets a leading {@code '}; a field holding a
     * separator, a quote or a line break is quoted, quotes doubled.
     */
    static String csv(String value) {
        String safe = startsFormula(value) ? "'" + value : value;
        if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
            return "\"" + safe.replace("\"", "\"\"") + "\"";
        }
        return safe;
    }

    private static final String FORMULA_STARTS = "=+-@|\uFF1D\uFF0B\uFF0D\uFF20\uFF5C";

    private static boolean startsFormula(String value) {
        if (value.isEmpty()) {
            return false;
        }
        char first = value.charAt(0);
        if (first == '\t' || first == '\r' || first == '\n') {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                continue;
            }
            return FORMULA_STARTS.indexOf(c) >= 0;
        }
        return false;
    }

    private static Totals totals(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Totals(
                rs.getLong("requests"),
                rs.getLong("input_tokens"),
                rs.getLong("output_tokens"),
                rs.getLong("cached_input_tokens"),
                rs.getBigDecimal("cost_usd"),
                rs.getLong("unpriced_requests"),
                rs.getLong("cache_write_5m_tokens"),
                rs.getLong("cache_write_1h_tokens"),
                rs.getLong("reasoning_tokens"),
                rs.getLong("audio_input_tokens"),
                rs.getLong("audio_output_tokens"),
                rs.getLong("estimated_requests"),
                rs.getLong("failed_over_attempts"));
    }

    /**
     * Which rows a report covers: a tenant (null: every tenant, for finance) and optional app, key,
     * provider and model. Values are bound parameters, never SQL text.
     */
    record Filter(String tenantId, String appId, String keyId, String provider, String model) {
        String where() {
            StringBuilder where = new StringBuilder();
            if (tenantId != null) {
                where.append(" and tenant_id = :tenantId");
            }
            if (appId != null) {
                where.append(" and app_id = :appId");
            }
            if (keyId != null) {
                where.append(" and key_id = :keyId");
            }
            if (provider != null) {
                where.append(" and provider = :provider");
            }
            if (model != null) {
                where.append(" and model = :model");
            }
            return where.toString();
        }

        JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement) {
            params().getValues().forEach(statement::param);
            return statement;
        }

        org.springframework.jdbc.core.namedparam.MapSqlParameterSource params() {
            org.springframework.jdbc.core.namedparam.MapSqlParameterSource params =
                    new org.springframework.jdbc.core.namedparam.MapSqlParameterSource();
            if (tenantId != null) {
                params.addValue("tenantId", tenantId);
            }
            if (appId != null) {
                params.addValue("appId", appId);
            }
            if (keyId != null) {
                params.addValue("keyId", keyId);
            }
            if (provider != null) {
                params.addValue("provider", provider);
            }
            if (model != null) {
                params.addValue("model", model);
            }
            return params;
        }
    }

    record Ranked(String name, Totals totals) {}

    /** The rollup column of a groupBy dimension (a fixed set: never user text in SQL). */
    static String column(String dimension) {
        return switch (dimension) {
            case "tenant" -> "tenant_id";
            case "app" -> "app_id";
            case "key" -> "key_id";
            case "provider" -> "provider";
            case "model" -> "model";
            default ->
                throw new IllegalArgumentException("groupBy and by are any of tenant, app, key, provider, model");
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
            boolean priced,
            long cacheWrite5mTokens,
            long cacheWrite1hTokens,
            long reasoningTokens,
            long audioInputTokens,
            long audioOutputTokens,
            boolean estimated,
            int attempt,
            boolean failedOver) {}
}
