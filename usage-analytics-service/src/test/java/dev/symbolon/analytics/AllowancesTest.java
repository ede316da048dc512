package dev.symbolon.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.Allowance;
import dev.symbolon.contracts.AllowanceRequest;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Quota allowances through the real topics: edges ask on {@code quota-allowance-request.v1}, the
 * owner answers on {@code quota-allowance.v1} from what PostgreSQL holds.
 */
class AllowancesTest extends AnalyticsContextTest {

    @Autowired
    dev.symbolon.analytics.quota.TenantDirectory directory;

    static final Allowance.Amount ONE_REQUEST = new Allowance.Amount(1L, 0L, BigDecimal.ZERO);

    @Test
    void three_edges_asking_for_a_quota_of_ten_are_granted_ten_in_all_and_then_told_it_is_exhausted() {
        String tenant =
                tenant(TenantConfigSnapshot.Policy.builder().requestsPerDay(10L).build());
        Map<String, Long> admitted = new LinkedHashMap<>(Map.of("edge_a", 0L, "edge_b", 0L, "edge_c", 0L));
        Map<String, Long> granted = new LinkedHashMap<>(Map.of("edge_a", 0L, "edge_b", 0L, "edge_c", 0L));
        int exhausted = 0;
        for (int round = 0; round < 24; round++) {
            String edge = List.copyOf(admitted.keySet()).get(round % 3);
            if (granted.get(edge) > admitted.get(edge)) {
                admitted.merge(edge, 1L, Long::sum);
                continue;
            }
            Allowance answer = ask(tenant, edge, admitted.get(edge), ONE_REQUEST);
            assertThat(answer.month()).as("no month quota, no month grant").isNull();
            granted.put(edge, answer.day().granted().requests());
            assertThat(granted.values().stream().mapToLong(Long::longValue).sum())
                    .as("granted in all, after round %d", round)
                    .isLessThanOrEqualTo(10);
            if (answer.day().exhausted()) {
                exhausted++;
            } else {
                admitted.merge(edge, 1L, Long::sum);
            }
        }
        assertThat(admitted.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(10);
        assertThat(exhausted).isPositive();
    }

    @Test
    void usage_an_edge_admitted_moves_from_its_holding_to_the_count_and_its_return_frees_the_rest() {
        String tenant =
                tenant(TenantConfigSnapshot.Policy.builder().requestsPerDay(10L).build());
        Allowance first = ask(tenant, "edge_a", 0, ONE_REQUEST);
        assertThat(first.day().granted().requests()).isEqualTo(5);
        // edge_a admits two requests; analytics counts them against its allowance
        for (int i = 0; i < 2; i++) {
            send(edgeEvent(tenant, "edge_a"));
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForObject(
                                "select counted_requests from analytics.quota_allowance where tenant_id = ?"
                                        + " and edge_id = 'edge_a' and period = 'day'",
                                Long.class,
                                tenant)
                        == 2);
        // counted 2 + edge_a still holds 3: edge_b sees 5 free and takes half of it over two edges
        Allowance second = ask(tenant, "edge_b", 0, ONE_REQUEST);
        assertThat(second.day().granted().requests()).isEqualTo(2);

        Allowance returned = giveBack(tenant, "edge_a", 2);
        assertThat(returned.day().granted().requests()).isEqualTo(2);
        assertThat(returned.day().sequence()).isGreaterThan(first.day().sequence());
        // 10 - 2 counted - 2 held by edge_b = 6 free: edge_c needs 3, more than its share (6 / 2 / 3 edges)
        Allowance third = ask(tenant, "edge_c", 0, new Allowance.Amount(3L, 0L, BigDecimal.ZERO));
        assertThat(third.day().granted().requests()).isEqualTo(3);
        assertThat(jdbc.queryForObject(
                        "select sum(granted_requests - counted_requests) from analytics.quota_allowance"
                                + " where tenant_id = ? and period = 'day'",
                        Long.class,
                        tenant))
                .as("held by edges, not counted yet")
                .isEqualTo(5);
    }

    private String tenant(TenantConfigSnapshot.Policy policy) {
        String tenant =
                "t_allow" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        kafka.send(
                Topics.TENANT_CONFIG,
                tenant,
                EventJson.encode(new TenantConfigSnapshot(
                        UUID.randomUUID(),
                        Instant.now(),
                        tenant,
                        1,
                        1,
                        TenantConfigSnapshot.Status.ACTIVE,
                        "Europe/Berlin",
                        policy,
                        new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                        List.of(),
                        List.of(),
                        List.of())));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.zone(tenant).equals(ZoneId.of("Europe/Berlin")));
        return tenant;
    }

    private Allowance ask(String tenant, String edge, long used, Allowance.Amount need) {
        return request(tenant, edge, AllowanceRequest.Kind.ASK, used, need);
    }

    private Allowance giveBack(String tenant, String edge, long used) {
        return request(tenant, edge, AllowanceRequest.Kind.RETURN, used, null);
    }

    private Allowance request(
            String tenant, String edge, AllowanceRequest.Kind kind, long used, Allowance.Amount need) {
        QuotaPeriods periods = QuotaPeriods.at(ZoneId.of("Europe/Berlin"), Instant.now());
        Allowance.Amount usedAmount = new Allowance.Amount(used, 0L, BigDecimal.ZERO);
        AllowanceRequest request = new AllowanceRequest(
                UUID.randomUUID(),
                Instant.now(),
                tenant,
                AllowanceRequest.CURRENT_VERSION,
                null,
                edge,
                kind,
                periods.dayStart(),
                periods.monthStart(),
                need,
                usedAmount,
                usedAmount);
        kafka.send(Topics.ALLOWANCE_REQUEST, tenant, EventJson.encode(request));
        return await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> recordsOf(Topics.ALLOWANCE).stream()
                                .map(r -> EventJson.decode(r.value(), Allowance.class))
                                .filter(a -> request.eventId().equals(a.inReplyTo()))
                                .findFirst()
                                .orElse(null),
                        answer -> answer != null);
    }

    private static UsageRecorded edgeEvent(String tenant, String edge) {
        UsageRecorded e = event(tenant, "openai", "gpt-4o-mini", Instant.now(), 10, 0, 5);
        return new UsageRecorded(
                e.eventId(),
                e.occurredAt(),
                e.tenantId(),
                e.version(),
                null,
                e.keyId(),
                e.keyKind(),
                e.provider(),
                e.model(),
                e.endpoint(),
                e.status(),
                e.outcome(),
                e.inputTokens(),
                e.outputTokens(),
                e.cachedInputTokens(),
                e.streamed(),
                e.partial(),
                e.latencyMs(),
                e.overheadMs(),
                e.requestId(),
                0,
                0,
                0,
                0,
                0,
                false,
                1,
                false,
                edge);
    }
}
