package dev.symbolon.keyvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.Topics;
import dev.symbolon.keyvault.serverkeys.ServerKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
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
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** key-vault-service against a real PostgreSQL and an embedded KRaft broker. */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=key-vault-service",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "DATABASE_USERNAME=postgres",
            "DATABASE_PASSWORD=",
            "SYMBOLON_SERVICE_TOKEN=" + KeyVaultServiceTest.SERVICE_TOKEN,
            "OPENAI_API_KEY=" + KeyVaultServiceTest.OPENAI_CANARY,
        })
@EmbeddedKafka(partitions = 1)
class KeyVaultServiceTest {

    static final String SERVICE_TOKEN = "svc-token-for-tests";
    static final String OPENAI_CANARY = "sk-openai-canary-5f0e2b7d";

    static final EmbeddedPostgres postgres;
    static final Path keystore;

    static {
        try {
            postgres = EmbeddedPostgres.start();
            keystore = Files.createTempDirectory("keystore");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("SYMBOLON_KEYSTORE_DIR", () -> keystore.resolve("entries").toString());
        registry.add("SYMBOLON_KEYSTORE_MASTER_KEY_FILE", () -> keystore.resolve("master.key")
                .toString());
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    ServerKeys serverKeys;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EmbeddedKafkaBroker kafka;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        client =
                WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
    }

    @Test
    void a_configured_server_key_is_served_to_callers_with_the_service_token() {
        client.get()
                .uri("/internal/v1/server-keys/openai")
                .header("Authorization", "Bearer " + SERVICE_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.apiKey")
                .isEqualTo(OPENAI_CANARY)
                .jsonPath("$.kind")
                .isEqualTo("server")
                .jsonPath("$.keyId")
                .value(String.class, id -> assertThat(id).startsWith("key_"));
    }

    @Test
    void the_internal_endpoint_refuses_callers_without_the_service_token() {
        for (String authorization : new String[] {null, "Bearer wrong", "Basic " + SERVICE_TOKEN}) {
            WebTestClient.RequestHeadersSpec<?> request = client.get().uri("/internal/v1/server-keys/openai");
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            String body = request.exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
            assertThat(body).contains("unauthorized").doesNotContain(OPENAI_CANARY);
        }
    }

    @Test
    void a_provider_without_a_key_is_a_404() {
        client.get()
                .uri("/internal/v1/server-keys/mistral")
                .header("Authorization", "Bearer " + SERVICE_TOKEN)
                .exchange()
                .expectStatus()
                .isNotFound();
    }

    @Test
    void registering_keeps_material_out_of_postgres_and_versions_a_changed_value() {
        String keyId = serverKeys.register("groq", Secret.of("gsk-first-canary"), "groq");
        String again = serverKeys.register("groq", Secret.of("gsk-first-canary"), "groq");
        String rotated = serverKeys.register("groq", Secret.of("gsk-second-canary"), "groq");

        assertThat(again).isEqualTo(keyId);
        assertThat(rotated).isEqualTo(keyId);
        assertThat(jdbc.queryForObject(
                        "select key_version from keyvault.provider_key where key_id = ?", Integer.class, keyId))
                .isEqualTo(2);
        assertThat(serverKeys.current("groq").orElseThrow().apiKey().reveal()).isEqualTo("gsk-second-canary");
        List<String> rows = jdbc.queryForList("select p::text from keyvault.provider_key p", String.class);
        assertThat(rows).isNotEmpty().noneMatch(row -> row.contains("canary"));

        List<KeyLifecycleEvent> events = lifecycleEvents(raw -> assertThat(raw).doesNotContain("canary"));
        assertThat(events)
                .filteredOn(e -> e.keyId().equals(keyId))
                .extracting(KeyLifecycleEvent::action)
                .containsExactly(KeyLifecycleEvent.Action.CREATED, KeyLifecycleEvent.Action.ROTATED);
    }

    @Test
    void webhook_secrets_are_stored_in_the_key_store_served_to_services_and_destroyed() {
        String secret = "whsec_"
                + java.util.Base64.getEncoder()
                        .encodeToString(
                                ("canary-webhook-secret-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        String path = "/internal/v1/webhook-secrets/t_acme/we_abc123";

        client.put()
                .uri(path + "/v1")
                .header("Authorization", "Bearer " + SERVICE_TOKEN)
                .header("X-Symbolon-Caller", "admin-api")
                .bodyValue(java.util.Map.of("secret", secret))
                .exchange()
                .expectStatus()
                .isNoContent();
        client.put()
                .uri(path + "/v1")
                .bodyValue(java.util.Map.of("secret", secret))
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.put()
                .uri(path + "/v2")
                .header("Authorization", "Bearer " + SERVICE_TOKEN)
                .bodyValue(java.util.Map.of("secret", "not-a-webhook-secret"))
                .exchange()
                .expectStatus()
                .isBadRequest();

        client.get()
                .uri(path)
                .header("Authorization", "Bearer " + SERVICE_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.secrets[0].version")
                .isEqualTo(1)
                .jsonPath("$.secrets[0].secret")
                .isEqualTo(secret);
        assertThat(jdbc.queryForList("select w::text from keyvault.webhook_secret w", String.class))
                .hasSize(1)
                .noneMatch(row -> row.contains(secret));

        client.delete()
                .uri(path)
                .header("Authorization", "Bearer " + SERVICE_TOKEN)
                .exchange()
                .expectStatus()
                .isNoContent();
        client.get()
                .uri(path)
                .header("Authorization", "Bearer " + SERVICE_TOKEN)
                .exchange()
                .expectBody()
                .jsonPath("$.secrets")
                .isEmpty();

        List<String> audit = rawEvents(Topics.AUDIT, 2);
        assertThat(audit)
                .anyMatch(e -> e.contains("webhook_secret.stored"))
                .anyMatch(e -> e.contains("webhook_secret.destroyed"))
                .noneMatch(e -> e.contains(secret));
    }

    private List<String> rawEvents(String topic, int atLeast) {
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka.getBrokersAsString());
        config.put("group.id", "test-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        List<String> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(300))
                        .forEach(r -> events.add(new String(r.value(), StandardCharsets.UTF_8)));
                return events.size() >= atLeast;
            });
        }
        return events;
    }

    private List<KeyLifecycleEvent> lifecycleEvents(java.util.function.Consumer<String> eachRaw) {
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka.getBrokersAsString());
        config.put("group.id", "test-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        List<KeyLifecycleEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.KEY_LIFECYCLE));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                int before = events.size();
                consumer.poll(Duration.ofMillis(300)).forEach(record -> {
                    String raw = new String(record.value(), StandardCharsets.UTF_8);
                    eachRaw.accept(raw);
                    events.add(EventJson.decode(raw, KeyLifecycleEvent.class));
                });
                return events.size() >= 3 && events.size() == before;
            });
        }
        return events;
    }
}
