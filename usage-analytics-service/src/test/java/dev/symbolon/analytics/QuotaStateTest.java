package dev.symbolon.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Quota state per tenant day and month, thresholds notified once per period. */
class QuotaStateTest extends AnalyticsContextTest {

    @Autowired
    dev.symbolon.analytics.quota.TenantDirectory directory;

    @Test
    void quota_state_follows_usage_in_the_tenants_day_and_thresholds_notify_once_per_period() {
        String tenant =
                "t_quota" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        TenantConfigSnapshot.Policy policy = TenantConfigSnapshot.Policy.builder()
                .requestsPerDay(4L)
                .costPerMonthUsd(new BigDecimal("100"))
                .alertThresholdsPercent(List.of(50, 100))
                .build();
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
                        "Asia/Tokyo",
                        policy,
                        new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                        List.of(),
                        List.of(),
                        List.of())));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.zone(tenant).equals(java.time.ZoneId.of("Asia/Tokyo")));

        List<UsageRecorded> usage = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            usage.add(event(tenant, "openai", "gpt-4o-mini", Instant.now(), 1_000, 0, 500));
        }
        UsageRecorded refused = new UsageRecorded(
                UUID.randomUUID(),
                Instant.now(),
                tenant,
                UsageRecorded.CURRENT_VERSION,
                "app_1",
                null,
                null,
                "openai",
                "gpt-4o-mini",
                "/chat/completions",
                429,
                UsageRecorded.Outcome.REFUSED,
                0,
                0,
                0,
                false,
                false,
                1,
                1,
                "req_refused");
        usage.forEach(this::send);
        send(refused);

        QuotaState state = await().atMost(Duration.ofSeconds(20))
                .until(() -> latestState(tenant), s -> s != null && s.day().requests() == 5);
        java.time.ZonedDateTime tokyoDay =
                Instant.now().atZone(java.time.ZoneId.of("Asia/Tokyo")).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        assertThat(state.day().start()).isEqualTo(tokyoDay.toInstant());
        assertThat(state.day().end()).isEqualTo(tokyoDay.plusDays(1).toInstant());
        assertThat(state.day().tokens()).isEqualTo(5 * 1_500);
        assertThat(state.day().costUsd()).isEqualByComparingTo("0.00225"); // 5 x (1000 x 0.15 + 500 x 0.60) / 1e6
        assertThat(state.blocked()).isTrue();
        assertThat(state.blockedReason()).isEqualTo("requests-per-day");
        assertThat(state.blockedUntil()).isEqualTo(tokyoDay.plusDays(1).toInstant());
        assertThat(state.usageOffset())
                .as("covers the refusal too: it was read, and it does not count")
                .isEqualTo(offsetOf(refused.eventId()));
        assertThat(latestState(tenant + "/app_1").day().requests()).isEqualTo(5);
        // What the edge's GET /analytics/my-stats relays for app_1 (service token only).
        client.get()
                .uri("/internal/v1/app-stats?tenantId={t}&appId=app_1", tenant)
                .header("Authorization", "Bearer " + SERVICE_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.today.requests")
                .isEqualTo(5)
                .jsonPath("$.thisMonth.tokens")
                .isEqualTo(5 * 1_500)
                .jsonPath("$.today.start")
                .isEqualTo(tokyoDay.toInstant().toString());
        client.get()
                .uri("/internal/v1/app-stats?tenantId={t}&appId=app_1", tenant)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isUnauthorized();

        // Redelivered: nothing changes, and no threshold fires again.
        usage.forEach(this::send);
        UsageRecorded marker =
                event(tenant, "openai", "unpriced-marker", Instant.now().minus(java.time.Duration.ofDays(40)), 1, 0, 1);
        send(marker);
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.eventId()) == 1);
        List<String> notifications = rawRecords(Topics.NOTIFICATION).stream()
                .filter(r -> tenant.equals(r.key()))
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
        assertThat(notifications).hasSize(2);
        assertThat(notifications)
                .filteredOn(n -> n.contains("quota.threshold_reached") && n.contains("\"thresholdPercent\":50"))
                .hasSize(1);
        assertThat(notifications)
                .filteredOn(n -> n.contains("quota.exhausted") && n.contains("requests-per-day"))
                .hasSize(1);
        assertThat(jdbc.queryForObject(
                        "select requests from analytics.quota_usage where tenant_id = ? and app_id = '' and period = 'day'"
                                + " and period_start = ?",
                        Long.class,
                        tenant,
                        java.sql.Timestamp.from(tokyoDay.toInstant())))
                .isEqualTo(5);
    }

    @Autowired
    dev.symbolon.analytics.quota.QuotaLedger ledger;

    @Autowired
    dev.symbolon.analytics.quota.QuotaStatePublisher publisher;

    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactionManager;

    /**
     * An edge drops its own count of every event a state says is covered, so a state must never
     * claim an offset its counts leave out: read while ingest commits batch after batch, each state's
     * counts are exactly those of the events up to its offset. (Counts and cursor once came from two
     * reads; a batch committed between them made the edge forget a request it had let through.)
     */
    @Test
    void a_quota_state_read_while_ingest_commits_counts_exactly_the_offsets_it_covers() {
        String tenant =
                "t_snapshot" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        org.springframework.transaction.support.TransactionTemplate tx =
                new org.springframework.transaction.support.TransactionTemplate(transactionManager);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CompletableFuture<Void> ingest = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                for (long offset = 0; offset < 300; offset++) {
                    long at = offset;
                    tx.executeWithoutResult(status -> ledger.count(
                            List.of(new dev.symbolon.analytics.quota.QuotaLedger.Counted(
                                    event(tenant, "openai", "gpt-4o-mini", Instant.now(), 10, 0, 5),
                                    BigDecimal.ONE,
                                    null)),
                            List.of(new dev.symbolon.analytics.quota.QuotaLedger.Cursor(tenant, 3, at))));
                }
            } finally {
                done.set(true);
            }
        });
        int states = 0;
        while (!done.get()) {
            QuotaState state = publisher.state(tenant, Instant.now());
            if (state.usageOffset() != null) {
                assertThat(state.day().requests())
                        .as("requests in a state that covers offset %d", state.usageOffset())
                        .isEqualTo(state.usageOffset() + 1);
                assertThat(state.day().costUsd()).isEqualByComparingTo(BigDecimal.valueOf(state.usageOffset() + 1));
                states++;
            }
        }
        ingest.join();
        assertThat(states).as("states read while ingest committed").isGreaterThan(10);
    }

    @Test
    void a_request_that_failed_over_counts_once_with_the_tokens_and_cost_of_every_attempt() {
        String tenant =
                "t_failover" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
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
                        "UTC",
                        TenantConfigSnapshot.Policy.builder()
                                .requestsPerDay(100L)
                                .build(),
                        new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                        List.of(),
                        List.of(),
                        List.of())));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.zone(tenant).equals(java.time.ZoneId.of("UTC")));
        Instant now = Instant.now();
        // one client request: the first key timed out after the provider had read (and billed) the prompt,
        // the second answered
        UsageRecorded first = attempt(event(tenant, "openai", "gpt-4o-mini", now, 1_000, 0, 0), "key_a", 1, true);
        UsageRecorded second = attempt(event(tenant, "openai", "gpt-4o-mini", now, 1_000, 0, 500), "key_b", 2, false);
        send(first);
        send(second);

        QuotaState state = await().atMost(Duration.ofSeconds(20))
                .until(() -> latestState(tenant), s -> s != null && s.day().tokens() == 2_500);
        assertThat(state.day().requests()).as("the client request, once").isEqualTo(1);
        // (1000 + 1000) x 0.15 + 500 x 0.60, per million
        assertThat(state.day().costUsd()).isEqualByComparingTo("0.0006");

        String range = "&from=" + now.minusSeconds(86_400) + "&to=" + now.plusSeconds(86_400);
        JsonNode byKey = json(get("/analytics/costs?tenantId=" + tenant + "&groupBy=key&granularity=day" + range));
        assertThat(byKey.path("totals").path("requests").asLong()).isEqualTo(1);
        assertThat(byKey.path("totals").path("failedOverAttempts").asLong()).isEqualTo(1);
        assertThat(byKey.path("totals").path("costUsd").decimalValue()).isEqualByComparingTo("0.0006");
        assertThat(byKey.path("rows").findValues("group").stream()
                        .map(group -> group.path("key").asString())
                        .toList())
                .containsExactlyInAnyOrder("key_a", "key_b");
        JsonNode usage = json(get("/analytics/usage?tenantId=" + tenant + range));
        assertThat(usage.path("totals").path("requests").asLong()).isEqualTo(1);
        assertThat(usage.path("totals").path("failedOverAttempts").asLong()).isEqualTo(1);

        List<String> csv = get("/analytics/usage/export?tenantId=" + tenant + range)
                .lines()
                .toList();
        assertThat(csv.get(0)).endsWith(",estimated,attempt,failed_over");
        assertThat(csv).filteredOn(l -> l.contains(first.requestId())).hasSize(2);
        assertThat(csv).anyMatch(l -> l.contains(",key_a,") && l.endsWith(",1,true"));
        assertThat(csv).anyMatch(l -> l.contains(",key_b,") && l.endsWith(",2,false"));
    }

    /** The event as attempt {@code n} of one client request (the same request id for every attempt). */
    private static UsageRecorded attempt(UsageRecorded e, String keyId, int n, boolean failedOver) {
        return new UsageRecorded(
                e.eventId(),
                e.occurredAt(),
                e.tenantId(),
                e.version(),
                e.appId(),
                keyId,
                "server",
                e.provider(),
                e.model(),
                e.endpoint(),
                failedOver ? 504 : 200,
                failedOver ? UsageRecorded.Outcome.UPSTREAM_UNAVAILABLE : UsageRecorded.Outcome.SUCCESS,
                e.inputTokens(),
                e.outputTokens(),
                e.cachedInputTokens(),
                false,
                false,
                10,
                1,
                "req_failover_" + e.tenantId(),
                0,
                0,
                0,
                0,
                0,
                false,
                n,
                failedOver);
    }

    private QuotaState latestState(String key) {
        QuotaState latest = null;
        for (ConsumerRecord<String, byte[]> record : rawRecords(Topics.QUOTA_STATE)) {
            if (key.equals(record.key())) {
                latest = EventJson.decode(record.value(), QuotaState.class);
            }
        }
        return latest;
    }

    private long offsetOf(UUID eventId) {
        return rawRecords(Topics.USAGE_RECORDED).stream()
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains(eventId.toString()))
                .mapToLong(ConsumerRecord::offset)
                .max()
                .orElseThrow();
    }

    /** Everything on a topic right now. */
    private List<ConsumerRecord<String, byte[]>> rawRecords(String topic) {
        Properties config = new Properties();
        config.put("bootstrap.servers", broker.getBrokersAsString());
        config.put("enable.auto.commit", "false"); // assigned, no group: nothing to commit or leave
        config.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
        }
        return records;
    }
}
