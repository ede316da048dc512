package dev.symbolon.analytics.ingest;

import dev.symbolon.analytics.pricing.PriceTable;
import dev.symbolon.analytics.quota.QuotaLedger;
import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.PriceCatalogue;
import dev.symbolon.contracts.UsageRecorded;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Writes usage facts and their rollups. A batch is one transaction: the facts are inserted with
 * {@code on conflict (event_id, occurred_at) do nothing}, and only the facts that were new are added to the hour,
 * day and month rollups. A redelivered batch (a crash before the offsets were committed) therefore
 * changes nothing, and the rollups always equal the sum of the facts.
 */
@Repository
public class UsageFacts {

    private static final String[] GRANULARITIES = {"hour", "day", "month"};

    private final JdbcTemplate jdbc;
    private final PriceTable prices;
    private final QuotaLedger quotas;

    UsageFacts(JdbcTemplate jdbc, PriceTable prices, QuotaLedger quotas) {
        this.jdbc = jdbc;
        this.prices = prices;
        this.quotas = quotas;
    }

    /** A usage event and where it was read from. */
    /** @param traceparent the trace of the event's ingest; null when it has none */
    public record Delivered(UsageRecorded event, int partition, long offset, String traceparent) {}

    /** What a batch changed: the facts that were new (priced), and whose quota state. */
    record Stored(List<Priced> fresh, Set<String> changedQuotas) {}

    /**
     * Stores a batch in one transaction: facts, rollups, quota usage and the tenants' cursors.
     *
     * @return how many events were new, and the quota keys that changed
     */
    @Transactional
    public Stored insertBatch(List<Delivered> batch) {
        Map<UUID, Priced> unique = new LinkedHashMap<>();
        Map<UUID, String> traces = new java.util.HashMap<>();
        Map<String, QuotaLedger.Cursor> cursors = new TreeMap<>();
        PriceCatalogue catalogue = prices.current(); // held against price changes until this commits
        for (Delivered delivered : batch) {
            UsageRecorded event = delivered.event();
            unique.putIfAbsent(event.eventId(), priced(catalogue, event));
            if (delivered.traceparent() != null) {
                traces.putIfAbsent(event.eventId(), delivered.traceparent());
            }
            cursors.merge(
                    event.tenantId(),
                    new QuotaLedger.Cursor(event.tenantId(), delivered.partition(), delivered.offset()),
                    (a, b) -> b.offset() >= a.offset() || b.partition() != a.partition() ? b : a);
        }
        if (unique.isEmpty()) {
            return new Stored(List.of(), Set.of());
        }
        Set<UUID> inserted = jdbc.execute((Connection connection) -> insertFacts(connection, unique.values()));
        List<Priced> fresh = unique.values().stream()
                .filter(p -> inserted.contains(p.event().eventId()))
                .toList();
        addToRollups(fresh);
        Set<String> changed = quotas.count(
                fresh.stream()
                        .map(p -> new QuotaLedger.Counted(
                                p.event(), p.cost(), traces.get(p.event().eventId())))
                        .toList(),
                List.copyOf(cursors.values()));
        return new Stored(fresh, changed);
    }

    /**
     * A record that was dead-lettered instead of stored still moves its tenant's cursor past it, so an
     * edge stops holding that request's usage as not yet counted.
     */
    @Transactional
    public Stored passOver(Delivered skipped) {
        UsageRecorded event = skipped.event();
        return new Stored(
                List.of(),
                quotas.count(
                        List.of(),
                        List.of(new QuotaLedger.Cursor(event.tenantId(), skipped.partition(), skipped.offset()))));
    }

    /** What a re-rating changed: facts whose cost moved, by how much in all, and whose quota state. */
    public record Rerating(long facts, BigDecimal costDelta, Set<String> changedQuotas) {}

    /** A fact whose cost changed from {@code was} (null: unpriced) to {@code cost}. */
    record Rerated(UsageRecorded event, BigDecimal was, BigDecimal cost) {}

    private static final String FACTS_PRICED_BY = "select event_id, occurred_at, tenant_id, app_id, key_id, key_kind,"
            + " provider, model, endpoint, status, outcome, input_tokens, output_tokens, cached_input_tokens,"
            + " cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, audio_input_tokens,"
            + " audio_output_tokens, estimated, cost_usd from usage_fact where provider = ? and model like ? escape '\\'"
            + " and occurred_at >= ? and occurred_at < ?";

    private static final String[] RECOST_TYPES = {"uuid", "timestamptz", "numeric"};
    private static final String RECOST_FACTS = "update usage_fact f set cost_usd = u.cost, priced = u.cost is not null"
            + " from unnest(" + Unnest.parameters(RECOST_TYPES) + ") as u(event_id, occurred_at, cost)"
            + " where f.event_id = u.event_id and f.occurred_at = u.occurred_at";

    /**
     * Prices again, with {@code catalogue}, every fact a change of one price version can touch: the
     * provider's facts whose model starts with the price's model, from its effective date until
     * {@code until} (the model's next version). Facts whose cost changed are updated, and their rollups
     * and quota periods move by exactly the difference. Runs in the caller's transaction, which holds
     * the price table ({@link PriceTable#lockForChange()}) so that no batch is priced meanwhile.
     */
    @Transactional
    public Rerating rerate(PriceCatalogue catalogue, PriceCard changed, Instant until) {
        List<Rerated> rerated = new ArrayList<>();
        jdbc.query(
                FACTS_PRICED_BY,
                rs -> {
                    UsageRecorded event = new UsageRecorded(
                            rs.getObject(1, UUID.class),
                            rs.getTimestamp(2).toInstant(),
                            rs.getString(3),
                            UsageRecorded.CURRENT_VERSION,
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getString(9),
                            rs.getInt(10),
                            UsageRecorded.Outcome.valueOf(rs.getString(11)),
                            rs.getLong(12),
                            rs.getLong(13),
                            rs.getLong(14),
                            false,
                            false,
                            0,
                            0,
                            null,
                            rs.getLong(15),
                            rs.getLong(16),
                            rs.getLong(17),
                            rs.getLong(18),
                            rs.getLong(19),
                            rs.getBoolean(20));
                    BigDecimal was = rs.getBigDecimal(21);
                    BigDecimal cost = cost(catalogue, event);
                    if (was == null ? cost != null : cost == null || was.compareTo(cost) != 0) {
                        rerated.add(new Rerated(event, was, cost));
                    }
                },
                changed.provider(),
                likePrefix(changed.model()),
                Timestamp.from(changed.effectiveFrom()),
                Timestamp.from(until));
        if (rerated.isEmpty()) {
            return new Rerating(0, BigDecimal.ZERO.setScale(PriceCard.COST_SCALE), Set.of());
        }
        List<Object[]> rows = rerated.stream()
                .map(r -> new Object[] {
                    r.event().eventId(), Timestamp.from(r.event().occurredAt()), r.cost()
                })
                .toList();
        jdbc.execute((Connection connection) ->
                Unnest.execute(connection, RECOST_FACTS, RECOST_TYPES, rows, PreparedStatement::executeUpdate));
        upsertRollups(rerated, Rerated::event, Rollup::recost);
        BigDecimal delta = BigDecimal.ZERO.setScale(PriceCard.COST_SCALE);
        List<QuotaLedger.Counted> moved = new ArrayList<>();
        for (Rerated r : rerated) {
            BigDecimal difference = nzCost(r.cost()).subtract(nzCost(r.was()));
            delta = delta.add(difference);
            moved.add(new QuotaLedger.Counted(r.event(), difference, null));
        }
        return new Rerating(rerated.size(), delta, quotas.recost(moved));
    }

    private static BigDecimal nzCost(BigDecimal cost) {
        return cost == null ? BigDecimal.ZERO : cost;
    }

    /** A LIKE pattern matching names that start with {@code prefix}, its own % and _ taken literally. */
    static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static Priced priced(PriceCatalogue catalogue, UsageRecorded event) {
        return catalogue
                .priceFor(event.provider(), event.model(), event.occurredAt())
                .map(price -> new Priced(event, price.cost(event.tokens()), price.model()))
                .orElseGet(() -> new Priced(event, null, null));
    }

    /** The exact cost of a request with the catalogue's price for it; null when none applies. */
    static BigDecimal cost(PriceCatalogue catalogue, UsageRecorded event) {
        return catalogue
                .priceFor(event.provider(), event.model(), event.occurredAt())
                .map(price -> price.cost(event.tokens()))
                .orElse(null);
    }

    private static final String[] FACT_TYPES = {
        "uuid",
        "timestamptz",
        "text",
        "text",
        "text",
        "text",
        "text",
        "text",
        "text",
        "int4",
        "text",
        "int8",
        "int8",
        "int8",
        "bool",
        "bool",
        "int8",
        "int8",
        "text",
        "numeric",
        "int8",
        "int8",
        "int8",
        "int8",
        "int8",
        "bool",
        "int4",
        "bool"
    };
    private static final String INSERT_FACTS = "insert into usage_fact (event_id, occurred_at, tenant_id, app_id,"
            + " key_id, key_kind, provider, model, endpoint, status, outcome, input_tokens, output_tokens,"
            + " cached_input_tokens, streamed, partial, latency_ms, overhead_ms, request_id, cost_usd,"
            + " cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, audio_input_tokens,"
            + " audio_output_tokens, estimated, attempt, failed_over, priced)"
            + " select u.*, u.cost is not null from unnest(" + Unnest.parameters(FACT_TYPES) + ")"
            + " as u(event_id, occurred_at, tenant_id, app_id, key_id, key_kind, provider, model, endpoint, status,"
            + " outcome, input_tokens, output_tokens, cached_input_tokens, streamed, partial, latency_ms, overhead_ms,"
            + " request_id, cost, w5, w1, reasoning, audio_in, audio_out, estimated, attempt, failed_over)"
            + " on conflict (event_id, occurred_at) do nothing returning event_id";

    private static final String[] ROLLUP_TYPES = {
        "text",
        "timestamptz",
        "text",
        "text",
        "text",
        "text",
        "text",
        "int8",
        "int8",
        "int8",
        "int8",
        "numeric",
        "int8",
        "int8",
        "int8",
        "int8",
        "int8",
        "int8",
        "int8",
        "int8"
    };
    private static final String UPSERT_ROLLUPS = "insert into usage_rollup (granularity, bucket, tenant_id, app_id,"
            + " key_id, provider, model, requests, input_tokens, output_tokens, cached_input_tokens, cost_usd,"
            + " unpriced_requests, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, audio_input_tokens,"
            + " audio_output_tokens, estimated_requests, failed_over_attempts) select * from unnest("
            + Unnest.parameters(ROLLUP_TYPES) + ")"
            + " on conflict (granularity, tenant_id, bucket, app_id, key_id, provider, model) do update set"
            + " requests = usage_rollup.requests + excluded.requests,"
            + " input_tokens = usage_rollup.input_tokens + excluded.input_tokens,"
            + " output_tokens = usage_rollup.output_tokens + excluded.output_tokens,"
            + " cached_input_tokens = usage_rollup.cached_input_tokens + excluded.cached_input_tokens,"
            + " cost_usd = usage_rollup.cost_usd + excluded.cost_usd,"
            + " unpriced_requests = usage_rollup.unpriced_requests + excluded.unpriced_requests,"
            + " cache_write_5m_tokens = usage_rollup.cache_write_5m_tokens + excluded.cache_write_5m_tokens,"
            + " cache_write_1h_tokens = usage_rollup.cache_write_1h_tokens + excluded.cache_write_1h_tokens,"
            + " reasoning_tokens = usage_rollup.reasoning_tokens + excluded.reasoning_tokens,"
            + " audio_input_tokens = usage_rollup.audio_input_tokens + excluded.audio_input_tokens,"
            + " audio_output_tokens = usage_rollup.audio_output_tokens + excluded.audio_output_tokens,"
            + " estimated_requests = usage_rollup.estimated_requests + excluded.estimated_requests,"
            + " failed_over_attempts = usage_rollup.failed_over_attempts + excluded.failed_over_attempts";

    /** One multi-row insert; answers the event ids that were new. */
    private static Set<UUID> insertFacts(Connection connection, Collection<Priced> facts) throws SQLException {
        List<Object[]> rows = new ArrayList<>(facts.size());
        for (Priced fact : facts) {
            UsageRecorded e = fact.event();
            rows.add(new Object[] {
                e.eventId(),
                Timestamp.from(e.occurredAt()),
                e.tenantId(),
                e.appId(),
                e.keyId(),
                e.keyKind(),
                e.provider(),
                e.model(),
                e.endpoint(),
                e.status(),
                e.outcome().name(),
                e.inputTokens(),
                e.outputTokens(),
                e.cachedInputTokens(),
                e.streamed(),
                e.partial(),
                e.latencyMs(),
                e.overheadMs(),
                e.requestId(),
                fact.cost(),
                e.cacheWrite5mTokens(),
                e.cacheWrite1hTokens(),
                e.reasoningTokens(),
                e.audioInputTokens(),
                e.audioOutputTokens(),
                e.estimated(),
                e.attempt(),
                e.failedOver()
            });
        }
        return Unnest.execute(connection, INSERT_FACTS, FACT_TYPES, rows, statement -> {
            Set<UUID> inserted = new HashSet<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getObject(1, UUID.class));
                }
            }
            return inserted;
        });
    }

    /** Adds new facts to their hour, day and month rows, in key order (no deadlocks between batches). */
    private void addToRollups(List<Priced> fresh) {
        upsertRollups(fresh, Priced::event, Rollup::add);
    }

    /**
     * Adds to the hour, day and month rows of each fact what {@code contribution} takes from it, in
     * key order (concurrent batches lock rows in the same order: no deadlocks).
     */
    private <T> void upsertRollups(
            List<T> facts,
            java.util.function.Function<T, UsageRecorded> eventOf,
            java.util.function.BiConsumer<Rollup, T> contribution) {
        TreeMap<String, Rollup> rollups = new TreeMap<>();
        for (T fact : facts) {
            UsageRecorded e = eventOf.apply(fact);
            ZonedDateTime at = e.occurredAt().atZone(ZoneOffset.UTC);
            Instant[] buckets = {
                at.truncatedTo(ChronoUnit.HOURS).toInstant(),
                at.truncatedTo(ChronoUnit.DAYS).toInstant(),
                at.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant()
            };
            for (int g = 0; g < GRANULARITIES.length; g++) {
                Rollup key = new Rollup(
                        GRANULARITIES[g],
                        buckets[g],
                        e.tenantId(),
                        nz(e.appId()),
                        nz(e.keyId()),
                        nz(e.provider()),
                        nz(e.model()));
                contribution.accept(rollups.computeIfAbsent(key.sortKey(), k -> key), fact);
            }
        }
        if (rollups.isEmpty()) {
            return;
        }
        // One statement for the whole batch, rows in key order (concurrent batches lock in the same order).
        List<Object[]> rows = rollups.values().stream()
                .map(r -> new Object[] {
                    r.granularity,
                    Timestamp.from(r.bucket),
                    r.tenantId,
                    r.appId,
                    r.keyId,
                    r.provider,
                    r.model,
                    r.requests,
                    r.inputTokens,
                    r.outputTokens,
                    r.cachedInputTokens,
                    r.cost,
                    r.unpriced,
                    r.cacheWrite5mTokens,
                    r.cacheWrite1hTokens,
                    r.reasoningTokens,
                    r.audioInputTokens,
                    r.audioOutputTokens,
                    r.estimated,
                    r.failedOver
                })
                .toList();
        jdbc.execute((Connection connection) ->
                Unnest.execute(connection, UPSERT_ROLLUPS, ROLLUP_TYPES, rows, PreparedStatement::executeUpdate));
    }

    private static String nz(String value) {
        return value == null ? "" : value;
    }

    /**
     * An event and its exact cost.
     *
     * @param cost null when no price applies
     * @param pricedAs the model of the price card that priced it (a bounded name); null when unpriced
     */
    record Priced(UsageRecorded event, BigDecimal cost, String pricedAs) {}

    /** One rollup row being summed up for a batch. */
    private static final class Rollup {
        final String granularity;
        final Instant bucket;
        final String tenantId;
        final String appId;
        final String keyId;
        final String provider;
        final String model;
        long requests;
        long inputTokens;
        long outputTokens;
        long cachedInputTokens;
        BigDecimal cost = BigDecimal.ZERO.setScale(PriceCard.COST_SCALE);
        long unpriced;
        long cacheWrite5mTokens;
        long cacheWrite1hTokens;
        long reasoningTokens;
        long audioInputTokens;
        long audioOutputTokens;
        long estimated;
        long failedOver;

        Rollup(
                String granularity,
                Instant bucket,
                String tenantId,
                String appId,
                String keyId,
                String provider,
                String model) {
            this.granularity = granularity;
            this.bucket = bucket;
            this.tenantId = tenantId;
            this.appId = appId;
            this.keyId = keyId;
            this.provider = provider;
            this.model = model;
        }

        String sortKey() {
            return String.join("\u0000", granularity, tenantId, bucket.toString(), appId, keyId, provider, model);
        }

        /** A fact's usage and cost; the request itself only once, not for an attempt the edge moved on from. */
        void add(Priced fact) {
            if (fact.event().failedOver()) {
                failedOver++;
            } else {
                requests++;
            }
            inputTokens += fact.event().inputTokens();
            outputTokens += fact.event().outputTokens();
            cachedInputTokens += fact.event().cachedInputTokens();
            cacheWrite5mTokens += fact.event().cacheWrite5mTokens();
            cacheWrite1hTokens += fact.event().cacheWrite1hTokens();
            reasoningTokens += fact.event().reasoningTokens();
            audioInputTokens += fact.event().audioInputTokens();
            audioOutputTokens += fact.event().audioOutputTokens();
            estimated += fact.event().estimated() ? 1 : 0;
            if (fact.cost() == null) {
                unpriced++;
            } else {
                cost = cost.add(fact.cost());
            }
        }

        /** A re-rated fact: its cost moves from {@code was} to its new cost; nothing else changes. */
        void recost(Rerated fact) {
            if (fact.was() == null) {
                unpriced--;
            } else {
                cost = cost.subtract(fact.was());
            }
            if (fact.cost() == null) {
                unpriced++;
            } else {
                cost = cost.add(fact.cost());
            }
        }
    }
}
