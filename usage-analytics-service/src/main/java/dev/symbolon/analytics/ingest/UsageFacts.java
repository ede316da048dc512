package dev.symbolon.analytics.ingest;

import dev.symbolon.analytics.pricing.Price;
import dev.symbolon.analytics.pricing.PriceTable;
import dev.symbolon.analytics.quota.QuotaLedger;
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
class UsageFacts {

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
    record Delivered(UsageRecorded event, int partition, long offset) {}

    /** What a batch changed: how many facts were new, and whose quota state. */
    record Stored(int fresh, Set<String> changedQuotas) {}

    /**
     * Stores a batch in one transaction: facts, rollups, quota usage and the tenants' cursors.
     *
     * @return how many events were new, and the quota keys that changed
     */
    @Transactional
    public Stored insertBatch(List<Delivered> batch) {
        Map<UUID, Priced> unique = new LinkedHashMap<>();
        Map<String, QuotaLedger.Cursor> cursors = new TreeMap<>();
        for (Delivered delivered : batch) {
            UsageRecorded event = delivered.event();
            unique.putIfAbsent(event.eventId(), priced(event));
            cursors.merge(
                    event.tenantId(),
                    new QuotaLedger.Cursor(event.tenantId(), delivered.partition(), delivered.offset()),
                    (a, b) -> b.offset() >= a.offset() || b.partition() != a.partition() ? b : a);
        }
        if (unique.isEmpty()) {
            return new Stored(0, Set.of());
        }
        Set<UUID> inserted = jdbc.execute((Connection connection) -> insertFacts(connection, unique.values()));
        List<Priced> fresh = unique.values().stream()
                .filter(p -> inserted.contains(p.event().eventId()))
                .toList();
        addToRollups(fresh);
        Set<String> changed = quotas.count(
                fresh.stream()
                        .map(p -> new QuotaLedger.Counted(p.event(), p.cost()))
                        .toList(),
                List.copyOf(cursors.values()));
        return new Stored(fresh.size(), changed);
    }

    /**
     * A record that was dead-lettered instead of stored still moves its tenant's cursor past it, so an
     * edge stops holding that request's usage as not yet counted.
     */
    @Transactional
    public Stored passOver(Delivered skipped) {
        UsageRecorded event = skipped.event();
        return new Stored(
                0,
                quotas.count(
                        List.of(),
                        List.of(new QuotaLedger.Cursor(event.tenantId(), skipped.partition(), skipped.offset()))));
    }

    private Priced priced(UsageRecorded event) {
        BigDecimal cost = prices.priceFor(event.provider(), event.model(), event.occurredAt())
                .map(price -> price.cost(event.inputTokens(), event.cachedInputTokens(), event.outputTokens()))
                .orElse(null);
        return new Priced(event, cost);
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
        "numeric"
    };
    private static final String INSERT_FACTS = "insert into usage_fact (event_id, occurred_at, tenant_id, app_id,"
            + " key_id, key_kind, provider, model, endpoint, status, outcome, input_tokens, output_tokens,"
            + " cached_input_tokens, streamed, partial, latency_ms, overhead_ms, request_id, cost_usd, priced)"
            + " select u.*, u.cost is not null from unnest(" + Unnest.parameters(FACT_TYPES) + ")"
            + " as u(event_id, occurred_at, tenant_id, app_id, key_id, key_kind, provider, model, endpoint, status,"
            + " outcome, input_tokens, output_tokens, cached_input_tokens, streamed, partial, latency_ms, overhead_ms,"
            + " request_id, cost)"
            + " on conflict (event_id, occurred_at) do nothing returning event_id";

    private static final String[] ROLLUP_TYPES = {
        "text", "timestamptz", "text", "text", "text", "text", "text", "int8", "int8", "int8", "int8", "numeric", "int8"
    };
    private static final String UPSERT_ROLLUPS = "insert into usage_rollup (granularity, bucket, tenant_id, app_id,"
            + " key_id, provider, model, requests, input_tokens, output_tokens, cached_input_tokens, cost_usd,"
            + " unpriced_requests) select * from unnest(" + Unnest.parameters(ROLLUP_TYPES) + ")"
            + " on conflict (granularity, tenant_id, bucket, app_id, key_id, provider, model) do update set"
            + " requests = usage_rollup.requests + excluded.requests,"
            + " input_tokens = usage_rollup.input_tokens + excluded.input_tokens,"
            + " output_tokens = usage_rollup.output_tokens + excluded.output_tokens,"
            + " cached_input_tokens = usage_rollup.cached_input_tokens + excluded.cached_input_tokens,"
            + " cost_usd = usage_rollup.cost_usd + excluded.cost_usd,"
            + " unpriced_requests = usage_rollup.unpriced_requests + excluded.unpriced_requests";

    /** One multi-row insert; answers the event ids that were new. */
    private static Set<UUID> insertFacts(Connection connection, Collection<Priced> facts) throws SQLException {
        List<Object[]> rows = new ArrayList<>(facts.size());
        for (Priced fact : facts) {
            UsageRecorded e = fact.event();
            rows.add(new Object[] {
                e.eventId(), Timestamp.from(e.occurredAt()), e.tenantId(), e.appId(), e.keyId(), e.keyKind(),
                e.provider(), e.model(), e.endpoint(), e.status(), e.outcome().name(), e.inputTokens(),
                e.outputTokens(), e.cachedInputTokens(), e.streamed(), e.partial(), e.latencyMs(), e.overheadMs(),
                e.requestId(), fact.cost()
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
        TreeMap<String, Rollup> rollups = new TreeMap<>();
        for (Priced fact : fresh) {
            UsageRecorded e = fact.event();
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
                rollups.computeIfAbsent(key.sortKey(), k -> key).add(fact);
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
                    r.unpriced
                })
                .toList();
        jdbc.execute((Connection connection) ->
                Unnest.execute(connection, UPSERT_ROLLUPS, ROLLUP_TYPES, rows, PreparedStatement::executeUpdate));
    }

    private static String nz(String value) {
        return value == null ? "" : value;
    }

    /** An event and its exact cost (null: no price matched). */
    record Priced(UsageRecorded event, BigDecimal cost) {}

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
        BigDecimal cost = BigDecimal.ZERO.setScale(Price.COST_SCALE);
        long unpriced;

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

        void add(Priced fact) {
            requests++;
            inputTokens += fact.event().inputTokens();
            outputTokens += fact.event().outputTokens();
            cachedInputTokens += fact.event().cachedInputTokens();
            if (fact.cost() == null) {
                unpriced++;
            } else {
                cost = cost.add(fact.cost());
            }
        }
    }
}
