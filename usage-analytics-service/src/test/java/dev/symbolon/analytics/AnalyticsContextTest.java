package dev.symbolon.analytics;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** usage-analytics-service against a real PostgreSQL and an embedded KRaft broker: the one context every full-context analytics test class shares. */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=usage-analytics-service",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "DATABASE_USERNAME=postgres",
            "DATABASE_PASSWORD=",
            "SYMBOLON_ADMIN_TOKEN=" + AnalyticsContextTest.ADMIN_TOKEN,
            "SYMBOLON_SERVICE_TOKEN=" + AnalyticsContextTest.SERVICE_TOKEN,
            "SYMBOLON_METRICS_TOKEN=" + AnalyticsContextTest.SCRAPE_TOKEN,
            // spend by tenant: the operator's choice, on here to test it (off by default: IngestMetersTest)
            "symbolon.metrics.tenant-label=true",
            "symbolon.kafka.lag-check-interval=1s",
        })
@EmbeddedKafka(partitions = 1)
abstract class AnalyticsContextTest {
    static final String ADMIN_TOKEN = "admin-token-for-tests";

    static final String SERVICE_TOKEN = "service-token-for-tests";

    static final String SCRAPE_TOKEN = "scrape-token-for-tests";

    static final EmbeddedPostgres postgres;

    static {
        postgres = dev.symbolon.support.testing.TestPostgres.startForJvm(); // shared by every class of the context
    }

    /** admin-api's JWK set, served as admin-api serves it, for the admin JWTs these tests sign. */
    static final com.github.tomakehurst.wiremock.WireMockServer adminApi =
            new com.github.tomakehurst.wiremock.WireMockServer(
                    com.github.tomakehurst.wiremock.core.WireMockConfiguration.options()
                            .dynamicPort());

    /** admin-api's signing key and JWK set, as this test plays admin-api. */
    static final dev.symbolon.support.testing.AdminJwks ADMIN =
            new dev.symbolon.support.testing.AdminJwks("test-kid-1");

    static final String KID = ADMIN.kid();

    static {
        adminApi.start();
        adminApi.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/admin/.well-known/jwks.json")
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(ADMIN.jwksJson())));
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("ADMIN_API_URL", adminApi::baseUrl);
    }

    /** An admin JWT as admin-api issues it. */
    static String adminJwt(
            java.security.PrivateKey key, String kid, String role, String tenant, String audience, Instant expires) {
        return adminJwt(key, kid, role, tenant, audience, expires, null);
    }

    /** @param adminKeyId the admin key the token was bought with ({@code akid}), or null */
    static String adminJwt(
            java.security.PrivateKey key,
            String kid,
            String role,
            String tenant,
            String audience,
            Instant expires,
            String adminKeyId) {
        return dev.symbolon.support.testing.AdminJwks.jwt(key, kid, role, tenant, audience, expires, adminKeyId);
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
        // ready once the revoked admin keys have been read; until then no admin JWT is taken
        dev.symbolon.support.testing.Readiness.await(port);
    }

    /** Prices as the seed migration lists them, written out here so the test computes cost on its own. */
    static final java.util.Map<String, BigDecimal[]> LIST_PRICES = java.util.Map.of(
            "gpt-4o-mini-2024-07-18",
                    new BigDecimal[] {new BigDecimal("0.15"), new BigDecimal("0.075"), new BigDecimal("0.60")},
            "claude-sonnet-4-20250514",
                    new BigDecimal[] {new BigDecimal("3.00"), new BigDecimal("0.30"), new BigDecimal("15.00")},
            "gemini-2.5-pro",
                    new BigDecimal[] {new BigDecimal("1.25"), new BigDecimal("0.125"), new BigDecimal("10.00")});

    static final String[][] MODELS = {
        {"openai", "gpt-4o-mini-2024-07-18"},
        {"anthropic", "claude-sonnet-4-20250514"},
        {"gemini", "gemini-2.5-pro"},
        {"openai", "model-nobody-priced"},
    };

    BigDecimal cost(UUID eventId) {
        return jdbc.queryForObject(
                "select cost_usd from analytics.usage_fact where event_id = ?", BigDecimal.class, eventId);
    }

    String get(String path) {
        return client.get()
                .uri(path)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
    }

    @Autowired
    dev.symbolon.analytics.ingest.FactPartitions partitions;

    static UsageRecorded event(
            String tenant, String provider, String model, Instant at, long input, long cached, long output) {
        return new UsageRecorded(
                UUID.randomUUID(),
                at,
                tenant,
                UsageRecorded.CURRENT_VERSION,
                "app_1",
                "key_1",
                "server",
                provider,
                model,
                "/chat/completions",
                200,
                UsageRecorded.Outcome.SUCCESS,
                input,
                output,
                cached,
                false,
                false,
                10,
                1,
                "req_" + UUID.randomUUID());
    }

    static JsonNode json(String body) {
        return JsonMapper.builder()
                .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build()
                .readTree(body);
    }

    void send(UsageRecorded event) {
        kafka.send(Topics.USAGE_RECORDED, event.tenantId(), EventJson.encode(event));
    }

    long rows(UUID eventId) {
        return jdbc.queryForObject("select count(*) from analytics.usage_fact where event_id = ?", Long.class, eventId);
    }

    /** Every record on a topic now (read to the end offsets it has at the call). */
    List<ConsumerRecord<String, byte[]>> recordsOf(String topic) {
        Properties config = new Properties();
        config.put("bootstrap.servers", broker.getBrokersAsString());
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    static UsageRecorded copy(UsageRecorded e, UUID eventId, String tenantId) {
        return copy(e, eventId, tenantId, e.model());
    }

    static UsageRecorded copy(UsageRecorded e, UUID eventId, String tenantId, String model) {
        return new UsageRecorded(
                eventId,
                Instant.parse("2026-11-23T10:15:30.123Z"),
                tenantId,
                e.version(),
                e.appId(),
                e.keyId(),
                e.keyKind(),
                e.provider(),
                model,
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
