package dev.symbolon.keyvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.SplitKey;
import dev.symbolon.contracts.Topics;
import dev.symbolon.keyvault.keys.Actor;
import dev.symbolon.keyvault.keys.KeyMaintenance;
import dev.symbolon.keyvault.keys.ProviderKeys;
import dev.symbolon.keyvault.store.FakeVault;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * key-vault-service as deployed: against a real PostgreSQL, an embedded KRaft broker, and Vault's HTTP
 * API ({@link FakeVault}: WireMock answering KV v2, Transit and token auth as Vault does).
 */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=key-vault-service",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "DATABASE_USERNAME=postgres",
            "DATABASE_PASSWORD=",
            "SYMBOLON_SERVICE_TOKEN=" + KeyVaultServiceTest.SERVICE_TOKEN,
            "OPENAI_API_KEY=" + KeyVaultServiceTest.OPENAI_CANARY,
            "SYMBOLON_KEY_STORE=vault",
            "VAULT_TOKEN=" + FakeVault.ROOT_TOKEN,
            "SYMBOLON_KEY_ROTATION_GRACE=3s",
            "SYMBOLON_KEY_SWEEP_INTERVAL=1h",
            "SYMBOLON_METRICS_TOKEN=" + KeyVaultServiceTest.SCRAPE_TOKEN,
            // the one structured format option: every log line of this context is a JSON object
            "logging.structured.format.console=logstash",
        })
@EmbeddedKafka(partitions = 1)
@ExtendWith(OutputCaptureExtension.class)
class KeyVaultServiceTest {

    static final String SERVICE_TOKEN = "svc-token-for-tests";
    static final String SCRAPE_TOKEN = "scrape-token-for-tests";
    static final String OPENAI_CANARY = "sk-openai-canary-5f0e2b7d";
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final EmbeddedPostgres postgres;
    static final FakeVault vault = new FakeVault();

    static {
        postgres = dev.symbolon.support.testing.TestPostgres.start();
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("VAULT_ADDR", vault::url);
    }

    @AfterAll
    static void stopAll() throws IOException {
        postgres.close();
        vault.stop();
    }

    @LocalServerPort
    int port;

    @Autowired
    ProviderKeys keys;

    @Autowired
    KeyMaintenance maintenance;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EmbeddedKafkaBroker kafka;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        vault.seal(false);
        client = WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .defaultHeader("Authorization", "Bearer " + SERVICE_TOKEN)
                .responseTimeout(Duration.ofSeconds(20))
                .build();
    }

    @Test
    void a_configured_server_key_is_served_to_callers_with_the_service_token() {
        client.get()
                .uri("/internal/v1/server-keys/openai")
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
    void the_internal_endpoints_refuse_callers_without_the_service_token() {
        WebTestClient anonymous =
                WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
        for (String authorization : new String[] {null, "Bearer wrong", "Basic " + SERVICE_TOKEN}) {
            WebTestClient.RequestHeadersSpec<?> request = anonymous.get().uri("/internal/v1/server-keys/openai");
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
    void server_keys_under_new_labels_form_a_weighted_pool_that_the_edge_reads_whole() {
        JsonNode primary = registerServerKey("compat:pool", "sk-pool-primary-canary", "primary", 3);
        JsonNode secondary = registerServerKey("compat:pool", "sk-pool-secondary-canary", "secondary", null);
        JsonNode rotated = registerServerKey("compat:pool", "sk-pool-secondary-2-canary", "secondary", 2);
        JsonNode again = registerServerKey("compat:pool", "sk-pool-primary-canary", "renamed", null);

        assertThat(primary.path("weight").asInt()).isEqualTo(3);
        assertThat(secondary.path("weight").asInt()).as("a new key weighs 1").isEqualTo(1);
        assertThat(rotated.path("keyId").asString())
                .isEqualTo(secondary.path("keyId").asString());
        assertThat(rotated.path("keyVersion").asInt()).isEqualTo(2);
        assertThat(rotated.path("weight").asInt()).isEqualTo(2);
        assertThat(again.path("keyId").asString())
                .as("a value already pooled")
                .isEqualTo(primary.path("keyId").asString());
        assertThat(again.path("weight").asInt()).isEqualTo(3);

        JsonNode pool = pool("compat:pool", null);
        assertThat(pool.path("keys")).hasSize(2);
        assertThat(pool.path("keys").get(0).path("apiKey").asString()).isEqualTo("sk-pool-primary-canary");
        assertThat(pool.path("keys").get(0).path("weight").asInt()).isEqualTo(3);
        assertThat(pool.path("keys").get(1).path("apiKey").asString()).isEqualTo("sk-pool-secondary-2-canary");

        client.patch()
                .uri("/internal/v1/keys/{id}", secondary.path("keyId").asString())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"weight\": 5}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.weight")
                .isEqualTo(5);
        assertThat(pool("compat:pool", "t_acme")
                        .path("keys")
                        .get(0)
                        .path("apiKey")
                        .asString())
                .as("the heaviest first; no key scoped to t_acme: the shared pool")
                .isEqualTo("sk-pool-secondary-2-canary");
        assertThat(rawEvents(Topics.AUDIT, json -> json.contains("provider_key.reweighed")))
                .isNotEmpty();
        assertThat(allRows()).noneMatch(row -> row.contains("canary"));
    }

    @Test
    void a_tenants_managed_keys_of_a_provider_are_its_own_pool_and_no_other_tenant_reads_it() {
        String light = createKey("t_poolown", "anthropic", "sk-ant-own-light-canary", "managed")
                .path("key")
                .path("keyId")
                .asString();
        String heavy = createKey("t_poolown", "anthropic", "sk-ant-own-heavy-canary", "managed")
                .path("key")
                .path("keyId")
                .asString();
        createKey("t_poolown", "anthropic", "sk-ant-own-split-canary", "split");
        client.patch()
                .uri("/internal/v1/tenants/t_poolown/keys/{id}", heavy)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"weight\": 4}")
                .exchange()
                .expectStatus()
                .isOk();

        JsonNode pool = client.get()
                .uri("/internal/v1/tenants/t_poolown/key-pools/anthropic")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();

        assertThat(pool.path("keys"))
                .as("managed keys only: a split key is opened by its client part")
                .hasSize(2);
        assertThat(pool.path("keys").get(0).path("keyId").asString()).isEqualTo(heavy);
        assertThat(pool.path("keys").get(0).path("weight").asInt()).isEqualTo(4);
        assertThat(pool.path("keys").get(0).path("apiKey").asString()).isEqualTo("sk-ant-own-heavy-canary");
        assertThat(pool.path("keys").get(1).path("keyId").asString()).isEqualTo(light);
        assertThat(pool.path("keys").get(1).path("tenantId").asString()).isEqualTo("t_poolown");
        client.get()
                .uri("/internal/v1/tenants/t_other/key-pools/anthropic")
                .exchange()
                .expectStatus()
                .isNotFound();
        client.get()
                .uri("/internal/v1/tenants/not-a-tenant/key-pools/anthropic")
                .exchange()
                .expectStatus()
                .isBadRequest();
    }

    @Test
    void a_weight_out_of_range_or_on_a_split_key_or_another_tenants_key_is_refused() {
        for (String weight : new String[] {"0", "101", "-1", "\"heavy\"", "1.5", "1e9", "[1]"}) {
            String body = "{\"provider\":\"compat:weights\",\"apiKey\":\"sk-x-canary\",\"label\":\"w\",\"weight\":"
                    + weight + "}";
            String answer = client.post()
                    .uri("/internal/v1/server-keys")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body)
                    .exchange()
                    .expectStatus()
                    .isBadRequest()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
            assertThat(answer).as("weight " + weight).contains("\"type\"").doesNotContain("sk-x-canary");
        }
        client.get()
                .uri("/internal/v1/server-key-pools/{p}", "compat:weights")
                .exchange()
                .expectStatus()
                .isNotFound();
        String split = createSplitKey("t_acme", "openai", "sk-split-weight-canary")
                .path("key")
                .path("keyId")
                .asString();
        client.patch()
                .uri("/internal/v1/tenants/t_acme/keys/{id}", split)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"weight\": 2}")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.message")
                .value(String.class, m -> assertThat(m).contains("split key"));
        client.patch()
                .uri("/internal/v1/tenants/t_other/keys/{id}", split)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"weight\": 2}")
                .exchange()
                .expectStatus()
                .isNotFound();
        client.patch()
                .uri("/internal/v1/keys/{id}", split)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.message")
                .isEqualTo("weight is required");
        client.get()
                .uri("/internal/v1/server-key-pools/{p}", "compat:nothing")
                .exchange()
                .expectStatus()
                .isNotFound();
    }

    @Test
    void a_provider_without_a_key_is_a_404() {
        client.get()
                .uri("/internal/v1/server-keys/mistral")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("not_found");
    }

    @Test
    void registering_versions_a_changed_value_and_a_tenant_scoped_key_wins_for_its_tenant() {
        String keyId = keys.registerServerKey("groq", Secret.of("gsk-first-canary"), "groq", null, null, Actor.SYSTEM)
                .keyId();
        String again = keys.registerServerKey("groq", Secret.of("gsk-first-canary"), "groq", null, null, Actor.SYSTEM)
                .keyId();
        String rotated = keys.registerServerKey(
                        "groq", Secret.of("gsk-second-canary"), "groq", null, null, Actor.SYSTEM)
                .keyId();
        String scoped = keys.registerServerKey(
                        "groq", Secret.of("gsk-scoped-canary"), "acme", "t_acme", null, Actor.SYSTEM)
                .keyId();

        assertThat(again).isEqualTo(keyId);
        assertThat(rotated).isEqualTo(keyId);
        assertThat(scoped).isNotEqualTo(keyId);
        assertThat(jdbc.queryForObject(
                        "select key_version from keyvault.provider_key where key_id = ?", Integer.class, keyId))
                .isEqualTo(2);
        assertThat(serverKeyFor("groq", null)).isEqualTo("gsk-second-canary");
        assertThat(serverKeyFor("groq", "t_other")).isEqualTo("gsk-second-canary");
        assertThat(serverKeyFor("groq", "t_acme")).isEqualTo("gsk-scoped-canary");
        assertThat(allRows()).noneMatch(row -> row.contains("canary"));

        List<KeyLifecycleEvent> events = lifecycleEvents(e -> e.keyId().equals(keyId), 2);
        assertThat(events)
                .extracting(KeyLifecycleEvent::action)
                .containsExactly(KeyLifecycleEvent.Action.CREATED, KeyLifecycleEvent.Action.ROTATED);
        assertThat(events.get(1).graceUntil()).isNotNull();
    }

    @Test
    void a_split_key_is_stored_so_that_no_single_place_holds_it(CapturedOutput output) {
        String canary = "sk-split-canary-" + UUID.randomUUID();
        JsonNode created = createSplitKey("t_acme", "openai", canary);
        String keyId = created.path("key").path("keyId").asString();
        String clientPart = created.path("clientPart").asString();

        assertThat(created.path("key").path("kind").asString()).isEqualTo("split");
        assertThat(clientPart).hasSize(43);

        // What the edge gets: the sealed server part, which opens only with the client part.
        JsonNode served = served(keyId);
        assertThat(served.path("apiKey").isNull() || served.path("apiKey").isMissingNode())
                .isTrue();
        assertThat(served.path("tenantId").asString()).isEqualTo("t_acme");
        byte[] sealed = Base64.getDecoder()
                .decode(served.path("versions").get(0).path("sealed").asString());
        assertThat(SplitKey.open(
                        SplitKey.decodeClientPart(clientPart).orElseThrow(),
                        sealed,
                        SplitKey.aad("t_acme", keyId, 1, "openai")))
                .hasValueSatisfying(
                        k -> assertThat(new String(k, StandardCharsets.UTF_8)).isEqualTo(canary));
        assertThat(SplitKey.open(SplitKey.newClientPart(), sealed, SplitKey.aad("t_acme", keyId, 1, "openai")))
                .isEmpty();

        // Canaries: the key is in no table, no topic, no log line, no Vault request body, no Vault entry.
        String base64Canary = Base64.getEncoder().encodeToString(canary.getBytes(StandardCharsets.UTF_8));
        Predicate<String> leaks =
                s -> s != null && (s.contains(canary) || s.contains(base64Canary) || s.contains(clientPart));
        assertThat(allRows()).isNotEmpty().noneMatch(leaks);
        assertThat(allEvents()).isNotEmpty().noneMatch(leaks);
        assertThat(output.getAll()).doesNotContain(canary).doesNotContain(clientPart);
        // the key's creation is logged as JSON, with the request's id, and nothing secret
        JsonNode line = output.getAll()
                .lines()
                .filter(l -> l.startsWith("{") && l.contains("split key " + keyId + " for openai created"))
                .map(JSON::readTree)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no JSON log line for the key's creation"));
        assertThat(line.path("requestId").asString()).isNotBlank();
        assertThat(line.path("level").asString()).isEqualTo("INFO");
        assertThat(line.toString()).doesNotContain(canary).doesNotContain(clientPart);
        assertThat(vault.requestBodies()).isNotEmpty().noneMatch(leaks);
        assertThat(vault.kvVersions("symbolon/tenants/t_acme/keys/" + keyId).values())
                .singleElement()
                .satisfies(data -> assertThat(data.get("v1").toString()).startsWith("vault:v1:"));
    }

    @Test
    void a_rotated_key_keeps_its_old_version_through_the_grace_then_retires_it() {
        JsonNode created = createSplitKey("t_rot", "anthropic", "sk-ant-old-canary");
        String keyId = created.path("key").path("keyId").asString();

        JsonNode rotated = client.post()
                .uri("/internal/v1/tenants/t_rot/keys/{id}/rotate", keyId)
                .bodyValue(Map.of("apiKey", "sk-ant-new-canary"))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
        assertThat(rotated.path("key").path("keyVersion").asInt()).isEqualTo(2);
        String newClientPart = rotated.path("clientPart").asString();
        assertThat(newClientPart).isNotEqualTo(created.path("clientPart").asString());

        JsonNode served = served(keyId);
        assertThat(served.path("keyVersion").asInt()).isEqualTo(2);
        assertThat(served.path("versions")).hasSize(2);
        assertThat(served.path("versions").get(0).path("graceUntil").isNull()).isTrue();
        assertThat(served.path("versions").get(1).path("version").asInt()).isEqualTo(1);
        assertThat(served.path("versions").get(1).path("graceUntil").asString()).isNotBlank();

        // The grace is 3 s here: the sweep retires version 1 once it has passed, in Vault too.
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            keys.retireExpiredVersions();
            return vault.kvVersions("symbolon/tenants/t_rot/keys/" + keyId).values().stream()
                    .allMatch(data -> data.keySet().equals(java.util.Set.of("v2")));
        });
        assertThat(served(keyId).path("versions")).hasSize(1);
        assertThat(vault.kvVersions("symbolon/tenants/t_rot/keys/" + keyId).values())
                .singleElement()
                .satisfies(data -> assertThat(data).containsOnlyKeys("v2"));
        assertThat(rawEvents(Topics.AUDIT, e -> e.contains("provider_key.version_retired") && e.contains(keyId)))
                .isNotEmpty();
    }

    @Test
    void revocation_destroys_the_material_and_tells_every_edge() {
        JsonNode created = createSplitKey("t_rev", "openai", "sk-revoked-canary");
        String keyId = created.path("key").path("keyId").asString();
        assertThat(vault.kvPaths()).contains("symbolon/tenants/t_rev/keys/" + keyId);

        client.delete()
                .uri("/internal/v1/tenants/t_other/keys/{id}", keyId)
                .exchange()
                .expectStatus()
                .isNotFound();
        client.delete()
                .uri("/internal/v1/tenants/t_rev/keys/{id}", keyId)
                .header("X-Symbolon-Actor", "adm_42")
                .header("X-Symbolon-Actor-Role", "tenant-admin")
                .exchange()
                .expectStatus()
                .isNoContent();

        client.get()
                .uri("/internal/v1/keys/{id}", keyId)
                .exchange()
                .expectStatus()
                .isNotFound();
        assertThat(vault.kvPaths()).doesNotContain("symbolon/tenants/t_rev/keys/" + keyId);
        assertThat(lifecycleEvents(e -> e.keyId().equals(keyId), 2))
                .extracting(KeyLifecycleEvent::action)
                .containsExactly(KeyLifecycleEvent.Action.CREATED, KeyLifecycleEvent.Action.REVOKED);
        assertThat(rawEvents(Topics.AUDIT, e -> e.contains("provider_key.revoked") && e.contains(keyId)))
                .singleElement()
                .satisfies(e -> assertThat(e).contains("adm_42").contains("tenant-admin"));
        assertThat(rawEvents(Topics.NOTIFICATION, e -> e.contains("key.revoked") && e.contains(keyId)))
                .hasSize(1);
    }

    @Test
    void another_tenant_sees_nothing_of_a_key() {
        String keyId = createSplitKey("t_owner", "openai", "sk-owner-canary")
                .path("key")
                .path("keyId")
                .asString();

        client.get()
                .uri("/internal/v1/tenants/t_thief/keys/{id}", keyId)
                .exchange()
                .expectStatus()
                .isNotFound();
        client.post()
                .uri("/internal/v1/tenants/t_thief/keys/{id}/rotate", keyId)
                .bodyValue(Map.of("apiKey", "sk-thief"))
                .exchange()
                .expectStatus()
                .isNotFound();
        client.get()
                .uri("/internal/v1/tenants/t_thief/keys")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$")
                .isEmpty();
        client.get()
                .uri("/internal/v1/tenants/t_owner/keys")
                .exchange()
                .expectBody()
                .jsonPath("$[0].keyId")
                .isEqualTo(keyId)
                .jsonPath("$[0].fingerprint")
                .value(String.class, f -> assertThat(f).startsWith("sha256:"));
    }

    @Test
    void a_scrape_counts_key_operations_and_store_calls_and_readiness_names_a_sealed_store() {
        dev.symbolon.support.testing.Scrape before = scrape();
        String keyId = createSplitKey("t_metered", "openai", "sk-metered-canary")
                .path("key")
                .path("keyId")
                .asString();
        client.get()
                .uri("/internal/v1/keys/{id}", keyId)
                .exchange()
                .expectStatus()
                .isOk();

        dev.symbolon.support.testing.Scrape after = scrape();
        assertThat(after.since(before, "symbolon_keys_operations_total", "operation", "created", "kind", "split"))
                .isEqualTo(1);
        assertThat(after.since(before, "symbolon_keys_operations_total", "operation", "served", "kind", "split"))
                .isEqualTo(1);
        assertThat(after.since(
                        before,
                        "symbolon_keystore_calls_seconds_count",
                        "store",
                        "vault",
                        "operation",
                        "write",
                        "outcome",
                        "ok"))
                .isGreaterThanOrEqualTo(1);
        assertThat(after.text())
                .doesNotContain("canary")
                .doesNotContain(FakeVault.ROOT_TOKEN)
                .doesNotContain(keyId);
        assertThat(readiness().status()).isEqualTo(200);

        vault.seal(true);
        try {
            client.get()
                    .uri("/internal/v1/keys/{id}", keyId)
                    .exchange()
                    .expectStatus()
                    .isEqualTo(503);
            assertThat(scrape().since(
                                    after,
                                    "symbolon_keystore_calls_seconds_count",
                                    "store",
                                    "vault",
                                    "outcome",
                                    "unavailable"))
                    .isGreaterThanOrEqualTo(1);
            // the probe says which component is not ready, and nothing more
            await().atMost(Duration.ofSeconds(10)).until(() -> readiness().status() == 503);
            dev.symbolon.support.testing.RawHttp.Response down = readiness();
            assertThat(JSON.readTree(down.body())
                            .path("components")
                            .path("keyStore")
                            .path("status")
                            .asString())
                    .isEqualTo("DOWN");
            assertThat(JSON.readTree(down.body())
                            .path("components")
                            .path("db")
                            .path("status")
                            .asString())
                    .isEqualTo("UP");
            assertThat(down.body())
                    .doesNotContain("details")
                    .doesNotContain("sealed")
                    .doesNotContain(vault.url());
        } finally {
            vault.seal(false);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> readiness().status() == 200);
    }

    private dev.symbolon.support.testing.Scrape scrape() {
        return dev.symbolon.support.testing.Scrape.of(port, SCRAPE_TOKEN);
    }

    private dev.symbolon.support.testing.RawHttp.Response readiness() {
        return dev.symbolon.support.testing.RawHttp.get(port, "/actuator/health/readiness");
    }

    @Test
    void a_sealed_vault_is_a_clear_503_and_nothing_is_half_done() {
        String keyId = createSplitKey("t_sealed", "openai", "sk-sealed-canary")
                .path("key")
                .path("keyId")
                .asString();
        int keysBefore = jdbc.queryForObject("select count(*) from keyvault.provider_key", Integer.class);
        vault.seal(true);

        String body = client.post()
                .uri("/internal/v1/tenants/t_sealed/keys")
                .bodyValue(Map.of("provider", "openai", "apiKey", "sk-while-sealed-canary", "kind", "split"))
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(body).contains("key_store_unavailable").contains("sealed").doesNotContain("canary");
        client.get()
                .uri("/internal/v1/keys/{id}", keyId)
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("key_store_unavailable");
        client.delete()
                .uri("/internal/v1/tenants/t_sealed/keys/{id}", keyId)
                .exchange()
                .expectStatus()
                .isEqualTo(503);

        vault.seal(false);
        assertThat(jdbc.queryForObject("select count(*) from keyvault.provider_key", Integer.class))
                .isEqualTo(keysBefore);
        assertThat(served(keyId).path("keyId").asString())
                .as("revocation did not half-happen")
                .isEqualTo(keyId);
    }

    @Test
    void bad_input_is_a_json_400_that_never_echoes_the_key() {
        String[] bodies = {
            "{\"provider\":\"openai\",\"apiKey\":\"sk-bad-canary\",\"kind\":\"whole\"}",
            "{\"provider\":\"Open AI\",\"apiKey\":\"sk-bad-canary\"}",
            "{\"provider\":\"openai\"}",
            "{\"provider\":\"openai\",\"apiKey\":\"sk-bad-canary\" trailing",
            "{\"provider\":\"openai\",\"apiKey\":\"sk bad canary with spaces\"}",
        };
        for (String bad : bodies) {
            String body = client.post()
                    .uri("/internal/v1/tenants/t_acme/keys")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(bad)
                    .exchange()
                    .expectStatus()
                    .isBadRequest()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
            assertThat(body).contains("invalid_request").doesNotContain("canary");
        }
    }

    @Test
    void a_wrapping_key_rotation_rewraps_every_entry_and_keys_keep_working() {
        String keyId = createSplitKey("t_wrap", "openai", "sk-wrap-canary")
                .path("key")
                .path("keyId")
                .asString();
        String before = (String) vault.kvVersions("symbolon/tenants/t_wrap/keys/" + keyId)
                .values()
                .iterator()
                .next()
                .get("v1");
        assertThat(before).startsWith("vault:v1:");

        client.post()
                .uri("/internal/v1/wrapping-key/rotate")
                .exchange()
                .expectStatus()
                .isAccepted();
        await().atMost(Duration.ofSeconds(20)).until(() -> maintenance.status().lastRewrap() != null);

        assertThat(maintenance.status().wrappingVersion()).isEqualTo(2);
        assertThat(maintenance.status().lastRewrap().failed()).isZero();
        assertThat(vault.kvPaths())
                .allSatisfy(
                        path -> assertThat(vault.kvVersions(path).values()).allSatisfy(data -> assertThat(data.values())
                                .allSatisfy(v -> assertThat(v.toString()).startsWith("vault:v2:"))));
        assertThat(served(keyId).path("versions").get(0).path("sealed").asString())
                .isNotBlank();
        assertThat(serverKeyFor("openai", null)).isEqualTo(OPENAI_CANARY);
        assertThat(vault.requestBodies()).anyMatch(b -> b.contains("vault:v1:") && b.contains("context"));
    }

    @Test
    void webhook_secrets_are_stored_in_the_key_store_served_to_services_and_destroyed() {
        String secret = "whsec_"
                + Base64.getEncoder()
                        .encodeToString(
                                ("canary-webhook-secret-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        String path = "/internal/v1/webhook-secrets/t_acme/we_abc123";

        client.put()
                .uri(path + "/v1")
                .header("X-Symbolon-Caller", "admin-api")
                .bodyValue(Map.of("secret", secret))
                .exchange()
                .expectStatus()
                .isNoContent();
        client.put()
                .uri(path + "/v2")
                .bodyValue(Map.of("secret", "not-a-webhook-secret"))
                .exchange()
                .expectStatus()
                .isBadRequest();

        client.get()
                .uri(path)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.secrets[0].version")
                .isEqualTo(1)
                .jsonPath("$.secrets[0].secret")
                .isEqualTo(secret);
        assertThat(allRows()).noneMatch(row -> row.contains(secret));
        assertThat(vault.kvVersions("symbolon/tenants/t_acme/webhooks/we_abc123")
                        .values())
                .singleElement()
                .satisfies(data -> assertThat(data.toString()).doesNotContain(secret));

        client.delete().uri(path).exchange().expectStatus().isNoContent();
        client.get().uri(path).exchange().expectBody().jsonPath("$.secrets").isEmpty();
        assertThat(vault.kvPaths()).doesNotContain("symbolon/tenants/t_acme/webhooks/we_abc123");

        assertThat(rawEvents(Topics.AUDIT, e -> e.contains("webhook_secret.")))
                .anyMatch(e -> e.contains("webhook_secret.stored"))
                .anyMatch(e -> e.contains("webhook_secret.destroyed"))
                .noneMatch(e -> e.contains(secret));
    }

    private JsonNode createSplitKey(String tenantId, String provider, String apiKey) {
        return createKey(tenantId, provider, apiKey, "split");
    }

    private JsonNode createKey(String tenantId, String provider, String apiKey, String kind) {
        return client.post()
                .uri("/internal/v1/tenants/{t}/keys", tenantId)
                .header("X-Symbolon-Actor", "app_1")
                .bodyValue(Map.of("provider", provider, "apiKey", apiKey, "label", "test", "kind", kind))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
    }

    private JsonNode served(String keyId) {
        return client.get()
                .uri("/internal/v1/keys/{id}", keyId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
    }

    private JsonNode registerServerKey(String provider, String apiKey, String label, Integer weight) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("provider", provider);
        body.put("apiKey", apiKey);
        body.put("label", label);
        body.put("weight", weight);
        return client.post()
                .uri("/internal/v1/server-keys")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
    }

    private JsonNode pool(String provider, String tenantId) {
        return client.get()
                .uri(u -> u.path("/internal/v1/server-key-pools/{p}")
                        .queryParamIfPresent("tenantId", java.util.Optional.ofNullable(tenantId))
                        .build(provider))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
    }

    private String serverKeyFor(String provider, String tenantId) {
        return client.get()
                .uri(u -> u.path("/internal/v1/server-keys/{p}")
                        .queryParamIfPresent("tenantId", java.util.Optional.ofNullable(tenantId))
                        .build(provider))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody()
                .path("apiKey")
                .asString();
    }

    /** Every row of every table in the service's schema, as text. */
    private List<String> allRows() {
        List<String> rows = new ArrayList<>();
        for (String table : jdbc.queryForList(
                "select table_name from information_schema.tables where table_schema = 'keyvault'", String.class)) {
            rows.addAll(jdbc.queryForList("select t::text from keyvault." + table + " t", String.class));
        }
        return rows;
    }

    /** Every event on every topic so far, as text. */
    private List<String> allEvents() {
        List<String> events = new ArrayList<>();
        for (String topic : Topics.ALL) {
            events.addAll(rawEvents(topic, e -> true, 0));
        }
        return events;
    }

    private List<String> rawEvents(String topic, Predicate<String> wanted) {
        return rawEvents(topic, wanted, 1);
    }

    /** Events of a topic matching a predicate, once at least {@code atLeast} arrived and no more came. */
    private List<String> rawEvents(String topic, Predicate<String> wanted, int atLeast) {
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka.getBrokersAsString());
        config.put("group.id", "test-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        List<String> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                int before = events.size();
                consumer.poll(Duration.ofMillis(300)).forEach(r -> {
                    String raw = new String(r.value(), StandardCharsets.UTF_8);
                    if (wanted.test(raw)) {
                        events.add(raw);
                    }
                });
                return events.size() >= atLeast
                        && events.size() == before
                        && !consumer.assignment().isEmpty();
            });
        }
        return events;
    }

    private List<KeyLifecycleEvent> lifecycleEvents(Predicate<KeyLifecycleEvent> wanted, int atLeast) {
        return rawEvents(
                        Topics.KEY_LIFECYCLE,
                        raw -> wanted.test(
                                EventJson.decode(raw.getBytes(StandardCharsets.UTF_8), KeyLifecycleEvent.class)),
                        atLeast)
                .stream()
                .map(raw -> EventJson.decode(raw.getBytes(StandardCharsets.UTF_8), KeyLifecycleEvent.class))
                .toList();
    }
}
