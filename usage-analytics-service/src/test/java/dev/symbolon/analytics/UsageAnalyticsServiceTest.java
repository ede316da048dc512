package dev.symbolon.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.GoldenFiles;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** usage-analytics-service against a real PostgreSQL and an embedded KRaft broker. */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=usage-analytics-service",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "DATABASE_USERNAME=postgres",
            "DATABASE_PASSWORD=",
            "SYMBOLON_ADMIN_TOKEN=" + UsageAnalyticsServiceTest.ADMIN_TOKEN,
        })
@EmbeddedKafka(partitions = 1)
class UsageAnalyticsServiceTest {

    static final String ADMIN_TOKEN = "admin-token-for-tests";

    static final EmbeddedPostgres postgres;

    static {
        try {
            postgres = EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    KafkaTemplate<String, byte[]> kafka;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    JdbcTemplate jdbc;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        client =
                WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
    }

    @Test
    void the_golden_event_is_stored_once_however_often_it_is_delivered() {
        UsageRecorded golden = GoldenFiles.decode(Topics.USAGE_RECORDED, UsageRecorded.class);
        String tenant = "t_golden_" + UUID.randomUUID();
        UsageRecorded event = copy(golden, UUID.randomUUID(), tenant);

        for (int i = 0; i < 3; i++) {
            send(event);
        }
        UsageRecorded marker = copy(golden, UUID.randomUUID(), tenant);
        send(marker);

        await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.eventId()) == 1);
        assertThat(rows(event.eventId())).isEqualTo(1);
        client.get()
                .uri("/analytics/usage?tenantId={t}&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", tenant)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.totals.requests")
                .isEqualTo(2)
                .jsonPath("$.totals.inputTokens")
                .isEqualTo(2 * golden.inputTokens())
                .jsonPath("$.totals.outputTokens")
                .isEqualTo(2 * golden.outputTokens())
                .jsonPath("$.totals.cachedInputTokens")
                .isEqualTo(2 * golden.cachedInputTokens())
                .jsonPath("$.recent[0].model")
                .isEqualTo(golden.model());
    }

    @Test
    void a_poison_message_goes_to_the_dead_letter_topic_and_ingest_keeps_going() {
        byte[] poison = "{\"this is\":\"not a usage event\"}".getBytes(StandardCharsets.UTF_8);
        kafka.send(Topics.USAGE_RECORDED, "t_poison", poison);
        UsageRecorded after =
                copy(GoldenFiles.decode(Topics.USAGE_RECORDED, UsageRecorded.class), UUID.randomUUID(), "t_poison");
        send(after);

        await().atMost(Duration.ofSeconds(20)).until(() -> rows(after.eventId()) == 1);
        ConsumerRecord<String, byte[]> dead = firstRecord(Topics.deadLetter(Topics.USAGE_RECORDED));
        assertThat(dead.value()).isEqualTo(poison);
        assertThat(dead.headers().lastHeader("kafka_dlt-exception-cause-fqcn").value())
                .asString(StandardCharsets.UTF_8)
                .contains("MalformedEventException");
    }

    @Test
    void the_usage_api_requires_the_admin_token_and_validates_its_parameters() {
        client.get()
                .uri("/analytics/usage?tenantId=t")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.get()
                .uri("/analytics/usage?tenantId=t")
                .header("Authorization", "Bearer nope")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.get()
                .uri("/analytics/usage?tenantId=t&limit=0")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isBadRequest();
        client.get()
                .uri("/analytics/usage?tenantId=t&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isBadRequest();
    }

    private void send(UsageRecorded event) {
        kafka.send(Topics.USAGE_RECORDED, event.tenantId(), EventJson.encode(event));
    }

    private long rows(UUID eventId) {
        return jdbc.queryForObject("select count(*) from analytics.usage_fact where event_id = ?", Long.class, eventId);
    }

    private ConsumerRecord<String, byte[]> firstRecord(String topic) {
        Properties config = new Properties();
        config.put("bootstrap.servers", broker.getBrokersAsString());
        config.put("group.id", "test-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            return await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> {
                                var records = consumer.poll(Duration.ofMillis(200));
                                return records.isEmpty()
                                        ? null
                                        : records.iterator().next();
                            },
                            record -> record != null);
        }
    }

    private static UsageRecorded copy(UsageRecorded e, UUID eventId, String tenantId) {
        return new UsageRecorded(
                eventId,
                Instant.parse("2026-11-23T10:15:30.123Z"),
                tenantId,
                e.version(),
                e.appId(),
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
                "req_" + eventId);
    }
}
