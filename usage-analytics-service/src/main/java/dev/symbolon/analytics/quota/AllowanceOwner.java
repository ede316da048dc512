package dev.symbolon.analytics.quota;

import dev.symbolon.contracts.Allowance;
import dev.symbolon.contracts.AllowanceRequest;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Grants edges their quota allowances ({@link Allowance}): the owner of a tenant's quota usage.
 *
 * <p>Every decision is one transaction over PostgreSQL, under a lock on the scope (tenant or app), so
 * whichever analytics instance hears an edge decides the same way and two never grant the same room:
 * allowances need no partition ownership and survive rebalances and restarts as they are. The grant
 * is sent after it commits; a grant lost on the way only holds its room until it expires.
 */
@Component
public class AllowanceOwner implements org.springframework.beans.factory.DisposableBean {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final TenantDirectory tenants;
    private final KafkaTemplate<String, byte[]> kafka;
    private final Duration lifetime;
    private final Clock clock;

    @Autowired
    AllowanceOwner(
            JdbcTemplate jdbc,
            PlatformTransactionManager transactionManager,
            TenantDirectory tenants,
            org.springframework.kafka.core.ProducerFactory<String, byte[]> producers,
            @Value("${symbolon.analytics.allowances.lifetime:60s}") Duration lifetime) {
        // answers leave at once (no linger): a request at the edge may be waiting for one
        this(
                jdbc,
                transactionManager,
                tenants,
                new KafkaTemplate<>(
                        producers,
                        java.util.Map.of(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, 0)),
                lifetime,
                Clock.systemUTC());
    }

    AllowanceOwner(
            JdbcTemplate jdbc,
            PlatformTransactionManager transactionManager,
            TenantDirectory tenants,
            KafkaTemplate<String, byte[]> kafka,
            Duration lifetime,
            Clock clock) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.tenants = tenants;
        this.kafka = kafka;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** Closes the answers' own producer. */
    @Override
    public void destroy() throws Exception {
        if (kafka.getProducerFactory() instanceof org.springframework.beans.factory.DisposableBean producer) {
            producer.destroy();
        }
    }

    /** Decides a request, records the grant, and sends it to the edge. */
    public Allowance answer(AllowanceRequest request) {
        Allowance allowance = transactions.execute(status -> decide(request));
        kafka.send(Topics.ALLOWANCE, allowance.edgeId(), EventJson.encode(allowance));
        return allowance;
    }

    /** The decision, in the caller's transaction. */
    Allowance decide(AllowanceRequest request) {
        String app = request.appId() == null ? "" : request.appId();
        TenantConfigSnapshot.Policy policy =
                app.isEmpty() ? tenants.tenantPolicy(request.tenantId()) : tenants.appPolicy(request.tenantId(), app);
        Instant now = clock.instant();
        QuotaPeriods periods = QuotaPeriods.at(tenants.zone(request.tenantId()), now);
        jdbc.queryForObject(
                "select pg_advisory_xact_lock(hashtextextended(?, 0))", Object.class, request.key() + "|allowance");
        Instant expires = now.plus(lifetime);
        Allowance.Grant day = grant(
                request,
                app,
                "day",
                periods.dayStart(),
                limits(policy, true),
                request.dayStart(),
                request.dayUsed(),
                now,
                expires);
        Allowance.Grant month = grant(
                request,
                app,
                "month",
                periods.monthStart(),
                limits(policy, false),
                request.monthStart(),
                request.monthUsed(),
                now,
                expires);
        return new Allowance(
                UUID.randomUUID(),
                now,
                request.tenantId(),
                Allowance.CURRENT_VERSION,
                request.appId(),
                request.edgeId(),
                request.eventId(),
                day,
                month,
                expires);
    }

    private Allowance.Grant grant(
            AllowanceRequest request,
            String app,
            String period,
            Instant start,
            BigDecimal[] limit,
            Instant edgeStart,
            Allowance.Amount edgeUsed,
            Instant now,
            Instant expires) {
        if (limit[0] == null && limit[1] == null && limit[2] == null) {
            return null;
        }
        // usage the edge counted in another period (a day it has left, or not reached) is not this one's
        BigDecimal[] used = start.equals(edgeStart) ? Slices.of(edgeUsed) : Slices.of(null);
        BigDecimal[] counted = new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
        List<Slices.Held> held = new ArrayList<>();
        // one statement, so one snapshot: the counts and every edge's holding as of the same commit
        jdbc.query(
                """
                select u.requests, u.tokens, u.cost_usd, a.edge_id, a.sequence, a.granted_requests,
                       a.granted_tokens, a.granted_cost, a.counted_requests, a.counted_tokens, a.counted_cost,
                       a.expires_at
                from (select 1) one
                left join quota_usage u on u.tenant_id = ? and u.app_id = ? and u.period = ? and u.period_start = ?
                left join quota_allowance a on a.tenant_id = ? and a.app_id = ? and a.period = ?
                    and a.period_start = ?
                """,
                rs -> {
                    if (rs.getObject(1) != null) {
                        counted[0] = BigDecimal.valueOf(rs.getLong(1));
                        counted[1] = BigDecimal.valueOf(rs.getLong(2));
                        counted[2] = rs.getBigDecimal(3);
                    }
                    if (rs.getString(4) != null) {
                        held.add(new Slices.Held(
                                rs.getString(4),
                                rs.getLong(5),
                                new BigDecimal[] {
                                    BigDecimal.valueOf(rs.getLong(6)),
                                    BigDecimal.valueOf(rs.getLong(7)),
                                    rs.getBigDecimal(8)
                                },
                                new BigDecimal[] {
                                    BigDecimal.valueOf(rs.getLong(9)),
                                    BigDecimal.valueOf(rs.getLong(10)),
                                    rs.getBigDecimal(11)
                                },
                                rs.getTimestamp(12).toInstant()));
                    }
                },
                request.tenantId(),
                app,
                period,
                Timestamp.from(start),
                request.tenantId(),
                app,
                period,
                Timestamp.from(start));
        BigDecimal[] need = request.kind() == AllowanceRequest.Kind.ASK ? Slices.of(request.need()) : null;
        Slices.Outcome outcome = Slices.decide(limit, counted, held, request.edgeId(), used, need, now);
        long sequence = held.stream()
                        .filter(h -> h.edgeId().equals(request.edgeId()))
                        .mapToLong(Slices.Held::sequence)
                        .findFirst()
                        .orElse(0)
                + 1;
        BigDecimal[] stored = outcome.granted();
        jdbc.update(
                """
                insert into quota_allowance (tenant_id, app_id, period, period_start, edge_id, sequence,
                    granted_requests, granted_tokens, granted_cost, expires_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (tenant_id, app_id, period, period_start, edge_id) do update set
                    sequence = excluded.sequence, granted_requests = excluded.granted_requests,
                    granted_tokens = excluded.granted_tokens, granted_cost = excluded.granted_cost,
                    expires_at = excluded.expires_at
                """,
                request.tenantId(),
                app,
                period,
                Timestamp.from(start),
                request.edgeId(),
                sequence,
                stored[0] == null ? 0 : stored[0].longValueExact(),
                stored[1] == null ? 0 : stored[1].longValueExact(),
                stored[2] == null ? BigDecimal.ZERO : stored[2],
                Timestamp.from(expires));
        return new Allowance.Grant(start, sequence, Slices.amount(stored), outcome.exhausted());
    }

    /** The period's limits per kind (requests, tokens, cost), null where the policy sets none. */
    private static BigDecimal[] limits(TenantConfigSnapshot.Policy policy, boolean day) {
        if (policy == null) {
            return new BigDecimal[3];
        }
        Long requests = day ? policy.requestsPerDay() : policy.requestsPerMonth();
        Long tokens = day ? policy.tokensPerDay() : policy.tokensPerMonth();
        return new BigDecimal[] {
            requests == null ? null : BigDecimal.valueOf(requests),
            tokens == null ? null : BigDecimal.valueOf(tokens),
            day ? policy.costPerDayUsd() : policy.costPerMonthUsd()
        };
    }
}
