package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.symbolon.contracts.CredentialHasher;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.GoldenFiles;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.SplitKey;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.edge.auth.AppDirectory;
import dev.symbolon.edge.auth.AppTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge in its full context against WireMock playing the providers and key-vault-service, and an
 * embedded KRaft broker receiving usage events. Every full-context edge test class extends this one, so
 * they share one Spring context, one broker and one WireMock.
 */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=edge-proxy",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "SYMBOLON_SERVICE_TOKEN=" + EdgeContextTest.SERVICE_TOKEN,
            "SYMBOLON_METRICS_TOKEN=" + EdgeContextTest.SCRAPE_TOKEN,
            "SYMBOLON_CREDENTIAL_PEPPER=" + EdgeContextTest.PEPPER,
            "SYMBOLON_APP_TOKEN_KEY=app-token-key-for-tests-0123456789",
            "symbolon.edge.max-body-size=64KB",
            // the operator lets shared keys reach file uploads of these two (not inference: off by default)
            "symbolon.edge.shared-key-endpoints.anthropic[0]=POST /files",
            "symbolon.edge.shared-key-endpoints.gemini[0]=POST /files:upload",
            // a key pool's failing key is probed again after 1 s; an attempt waits 2 s, a request 10 s
            "symbolon.edge.routing.cooldown=1s",
            "symbolon.edge.routing.attempt-timeout=2s",
            "symbolon.edge.routing.deadline=10s",
        })
@EmbeddedKafka(partitions = 1)
abstract class EdgeContextTest {

    static final String PEPPER = "test-pepper";
    static final String SERVICE_TOKEN = "test-service-token";
    static final String SCRAPE_TOKEN = "test-scrape-token";
    static final String CREDENTIAL = "sym_live_" + UUID.randomUUID();
    static final String OPENAI_KEY = "sk-openai-canary-" + UUID.randomUUID();
    static final String ANTHROPIC_KEY = "sk-ant-canary-" + UUID.randomUUID();
    static final String GEMINI_KEY = "AIza-canary-" + UUID.randomUUID();

    static final WireMockServer upstream = new WireMockServer(options().dynamicPort());

    /**
     * The test clients' connections: idle ones closed after a few seconds, as a well-behaved client
     * does, so the connections a concurrency test opened do not stay open until the edge's idle
     * timeout and count against its connections-per-address limit in the tests that follow.
     */
    static final ConnectionProvider TEST_CONNECTIONS = ConnectionProvider.builder("edge-tests")
            .maxIdleTime(Duration.ofSeconds(3))
            .evictInBackground(Duration.ofSeconds(1))
            .build();

    /** How many endless upstream streams the edge has cancelled. */
    static final java.util.concurrent.atomic.AtomicInteger ENDLESS_CANCELLED =
            new java.util.concurrent.atomic.AtomicInteger();

    /** An upstream that starts a stream and then drops the connection (and, on another path, never ends one). */
    static final DisposableServer cutting = HttpServer.create()
            .host("localhost")
            .port(0)
            .route(routes -> routes.post("/v1/endless/chat/completions", (req, res) -> req.receive()
                            .then(res.header("Content-Type", "text/event-stream")
                                    // a chunk every 20 ms for ever, until the edge cancels the call
                                    .sendString(Flux.interval(java.time.Duration.ofMillis(20))
                                            .map(i -> "data: {\"choices\":[{\"delta\":{\"content\":\"x" + i
                                                    + "\"}}]}\n\n")
                                            .doOnCancel(ENDLESS_CANCELLED::incrementAndGet))
                                    .then()))
                    .post("/v1/chat/completions", (req, res) -> req.receive()
                            .then(res.header("Content-Type", "text/event-stream")
                                    .sendString(Flux.just(
                                            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n",
                                            "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n"))
                                    // both chunks are written and flushed first; only then is the connection dropped
                                    // (an error inside the same publisher may discard the unflushed "b")
                                    .then()
                                    .then(Mono.error(new IllegalStateException("cut"))))))
            .bindNow();

    static {
        upstream.start();
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("KEY_VAULT_URL", upstream::baseUrl);
        registry.add("ADMIN_API_URL", upstream::baseUrl);
        registry.add("ANALYTICS_URL", upstream::baseUrl);
        registry.add("symbolon.edge.compat.cut.base-url", () -> "http://localhost:" + cutting.port() + "/v1");
        registry.add(
                "symbolon.edge.compat.endless.base-url", () -> "http://localhost:" + cutting.port() + "/v1/endless");
        registry.add("symbolon.edge.compat.backup.base-url", () -> upstream.baseUrl() + "/backup/v1");
        // nothing listens on port 9 (discard) here: a connect failure
        registry.add("symbolon.edge.compat.closed.base-url", () -> "http://127.0.0.1:9/v1");
        registry.add("SYMBOLON_USAGE_JOURNAL_DIR", () -> "target/usage-journal-" + UUID.randomUUID());
        registry.add("symbolon.edge.providers.openai.base-url", () -> upstream.baseUrl() + "/v1");
        registry.add("symbolon.edge.providers.anthropic.base-url", () -> upstream.baseUrl() + "/anthropic/v1");
        registry.add("symbolon.edge.providers.gemini.base-url", () -> upstream.baseUrl() + "/gemini/v1beta");
    }

    static {
        // Shared by every test class of the one cached context: stopped with the JVM, not per class.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            upstream.stop();
            cutting.disposeNow();
        }));
    }

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKafkaBroker kafka;

    WebTestClient client;

    @Autowired
    KafkaTemplate<String, byte[]> producer;

    @Autowired
    AppDirectory directory;

    @Autowired
    AppTokens tokens;

    /** What admin-api would publish for the test's tenant: one app with one credential (as a hash). */
    void publishTenant() {
        if (directory.authenticate(CREDENTIAL) instanceof AppDirectory.Accepted) {
            return;
        }
        TenantConfigSnapshot golden = GoldenFiles.decode(Topics.TENANT_CONFIG, TenantConfigSnapshot.class);
        TenantConfigSnapshot.App app = new TenantConfigSnapshot.App(
                "app_1",
                "test app",
                TenantConfigSnapshot.Status.ACTIVE,
                null,
                List.of(new TenantConfigSnapshot.Credential(
                        "cred_1",
                        new CredentialHasher(Secret.of(PEPPER)).hash(CREDENTIAL),
                        TenantConfigSnapshot.Status.ACTIVE,
                        null)));
        TenantConfigSnapshot snapshot = new TenantConfigSnapshot(
                UUID.randomUUID(),
                Instant.now(),
                "t_acme",
                1,
                1,
                TenantConfigSnapshot.Status.ACTIVE,
                golden.timeZone(),
                null,
                new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                List.of(app),
                List.of(),
                List.of());
        producer.send(Topics.TENANT_CONFIG, "t_acme", EventJson.encode(snapshot));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.authenticate(CREDENTIAL) instanceof AppDirectory.Accepted);
    }

    /** analytics' allowance owner, played over the real broker */
    AllowanceDesk desk;

    @BeforeEach
    void setUp() {
        desk = AllowanceDesk.on(kafka.getBrokersAsString());
        publishTenant();
        client = WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create(TEST_CONNECTIONS)))
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(20))
                .build();
        upstream.resetAll();
        stubKey("openai", OPENAI_KEY);
        stubKey("anthropic", ANTHROPIC_KEY);
        stubKey("gemini", GEMINI_KEY);
        upstream.stubFor(
                post(urlEqualTo("/v1/chat/completions"))
                        .willReturn(
                                okJson(
                                        """
                        {"id":"c1","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}""")));
    }

    /** key-vault-service serving a tenant key (split: sealed with the client part, as it would be). */
    String stubTenantKey(
            String tenantId,
            String provider,
            String kind,
            String apiKey,
            byte[] clientPart,
            int version,
            Instant graceUntil) {
        String keyId = "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        byte[] sealed = SplitKey.seal(
                clientPart, apiKey.getBytes(StandardCharsets.UTF_8), SplitKey.aad(tenantId, keyId, version, provider));
        stubTenantKeyJson(
                keyId, tenantId, provider, kind, version, null, List.of(version(version, sealed, graceUntil)));
        return keyId;
    }

    static Map<String, Object> version(int version, byte[] sealed, Instant graceUntil) {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        v.put("version", version);
        v.put("sealed", java.util.Base64.getEncoder().encodeToString(sealed));
        v.put("graceUntil", graceUntil == null ? null : graceUntil.toString());
        return v;
    }

    void stubTenantKeyJson(
            String keyId,
            String tenantId,
            String provider,
            String kind,
            int keyVersion,
            String apiKey,
            List<Map<String, Object>> versions) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("keyId", keyId);
        body.put("tenantId", tenantId);
        body.put("provider", provider);
        body.put("kind", kind);
        body.put("keyVersion", keyVersion);
        body.put("apiKey", apiKey);
        body.put("versions", versions);
        upstream.stubFor(get(urlEqualTo("/internal/v1/keys/" + keyId))
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN))
                .willReturn(okJson(JsonMapper.builder().build().writeValueAsString(body))));
    }

    void expectError(String path, String authorization, String body, int status, String type) {
        // A URI, not a template: the path goes out exactly as written, %2e and all.
        WebTestClient.RequestBodySpec request = client.post()
                .uri(URI.create("http://localhost:" + port + path))
                .contentType(MediaType.APPLICATION_JSON);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        String responseBody = request.bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectHeader()
                .exists("x-request-id")
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo(type)
                .jsonPath("$.error.requestId")
                .exists()
                .returnResult()
                .toString();
        assertThat(responseBody)
                .doesNotContain(OPENAI_KEY)
                .doesNotContain("Exception")
                .doesNotContain("at dev.");
    }

    void stubKey(String provider, String apiKey) {
        stubPool(provider, null, Map.of("key_" + provider, apiKey), Map.of());
    }

    /**
     * key-vault-service serving a provider's server-key pool to one tenant (null: to every tenant): key
     * ids to values, in order, each with its weight (1 when not named).
     */
    void stubPool(String provider, String tenantId, Map<String, String> keys, Map<String, Integer> weights) {
        // The edge encodes the provider as a path variable (compat:x → compat%3Ax).
        var request = get(urlPathEqualTo("/internal/v1/server-key-pools/" + provider.replace(":", "%3A")));
        if (tenantId != null) {
            request = request.withQueryParam("tenantId", equalTo(tenantId));
        }
        stubPoolAnswer(request, provider, null, "server", keys, weights);
    }

    /** key-vault-service serving a tenant's managed keys for a provider, as its {@code byokOnly} pool. */
    void stubOwnPool(String tenantId, String provider, Map<String, String> keys, Map<String, Integer> weights) {
        stubPoolAnswer(
                get(urlPathEqualTo("/internal/v1/tenants/" + tenantId + "/key-pools/" + provider.replace(":", "%3A"))),
                provider,
                tenantId,
                "managed",
                keys,
                weights);
    }

    private void stubPoolAnswer(
            com.github.tomakehurst.wiremock.client.MappingBuilder request,
            String provider,
            String tenantId,
            String kind,
            Map<String, String> keys,
            Map<String, Integer> weights) {
        List<Map<String, Object>> members = new java.util.ArrayList<>();
        keys.forEach((keyId, apiKey) -> {
            Map<String, Object> member = new java.util.LinkedHashMap<>();
            member.put("keyId", keyId);
            member.put("tenantId", tenantId);
            member.put("provider", provider);
            member.put("kind", kind);
            member.put("keyVersion", 1);
            member.put("apiKey", apiKey);
            member.put("weight", weights.getOrDefault(keyId, 1));
            members.add(member);
        });
        upstream.stubFor(request.withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN))
                .willReturn(okJson(JsonMapper.builder()
                        .build()
                        .writeValueAsString(Map.of("provider", provider, "keys", members)))));
    }

    static Set<String> fieldNames(String json) {
        Set<String> names = new TreeSet<>();
        JsonMapper.builder().build().readTree(json).propertyNames().forEach(names::add);
        return names;
    }

    UsageRecorded awaitUsage(String requestId) {
        return awaitUsageWhere(e -> requestId.equals(e.requestId()));
    }

    UsageRecorded awaitUsageWhere(java.util.function.Predicate<UsageRecorded> matching) {
        return awaitUsages(matching, 1).get(0);
    }

    /** The first {@code count} usage events that match, in the order they were published. */
    List<UsageRecorded> awaitUsages(java.util.function.Predicate<UsageRecorded> matching, int count) {
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka.getBrokersAsString());
        config.put("group.id", "test-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        List<String> raw = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.USAGE_RECORDED));
            List<UsageRecorded> found = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> {
                                for (var record : consumer.poll(Duration.ofMillis(200))) {
                                    raw.add(new String(record.value(), StandardCharsets.UTF_8));
                                }
                                return raw.stream()
                                        .map(json -> EventJson.decode(json, UsageRecorded.class))
                                        .filter(matching)
                                        .toList();
                            },
                            events -> events.size() >= count);
            assertThat(raw).noneMatch(json -> json.contains(CREDENTIAL) || json.contains(OPENAI_KEY));
            // What the edge produces has exactly the fields of the contract's golden file.
            assertThat(fieldNames(EventJson.encodeToString(found.get(0))))
                    .isEqualTo(fieldNames(GoldenFiles.read(Topics.USAGE_RECORDED)));
            return found.subList(0, count);
        }
    }

    /** Every record on a topic so far, as text. */
    List<String> rawRecords(String topic) {
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka.getBrokersAsString());
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<String> records = new java.util.ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(r -> records.add(new String(r.value(), StandardCharsets.UTF_8)));
            }
            return records;
        }
    }

    static TenantConfigSnapshot tenant(
            String tenantId,
            TenantConfigSnapshot.Policy policy,
            TenantConfigSnapshot.IpRules ipRules,
            TenantConfigSnapshot.App app) {
        return new TenantConfigSnapshot(
                UUID.randomUUID(),
                Instant.now(),
                tenantId,
                1,
                1,
                TenantConfigSnapshot.Status.ACTIVE,
                "UTC",
                policy,
                ipRules,
                List.of(app),
                List.of(),
                List.of());
    }

    static TenantConfigSnapshot.Credential credential(String id, String key) {
        return new TenantConfigSnapshot.Credential(
                id, new CredentialHasher(Secret.of(PEPPER)).hash(key), TenantConfigSnapshot.Status.ACTIVE, null);
    }

    /** A tenant with this policy and one app, published and seen by the edge; returns the app's key. */
    String tenantWithPolicy(String tenantId, TenantConfigSnapshot.Policy policy) {
        String key = "sym_live_" + tenantId + "_" + UUID.randomUUID();
        producer.send(
                Topics.TENANT_CONFIG,
                tenantId,
                EventJson.encode(tenant(
                        tenantId,
                        policy,
                        new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                        new TenantConfigSnapshot.App(
                                "app_" + tenantId,
                                tenantId,
                                TenantConfigSnapshot.Status.ACTIVE,
                                null,
                                List.of(credential("cred_" + tenantId, key))))));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.authenticate(key) instanceof AppDirectory.Accepted);
        return key;
    }

    @Autowired
    dev.symbolon.edge.pricing.PriceBook prices;

    /**
     * Publishes an OpenAI price for the model (1 $ per million input tokens, 2 $ output), as analytics
     * would, and waits for the edge to hold it; returns the card.
     */
    dev.symbolon.contracts.PriceCard priced(String model) {
        dev.symbolon.contracts.PriceCard price = new dev.symbolon.contracts.PriceCard(
                "openai",
                model,
                Instant.parse("2025-01-01T00:00:00Z"),
                dev.symbolon.contracts.PriceCard.Rates.of(
                        new java.math.BigDecimal("1"), null, new java.math.BigDecimal("2")),
                null,
                null,
                null);
        producer.send(
                Topics.PRICES,
                dev.symbolon.contracts.PriceList.key("openai", model),
                EventJson.encode(new dev.symbolon.contracts.PriceList(
                        UUID.randomUUID(),
                        Instant.now(),
                        KeyLifecycleEvent.PLATFORM_TENANT,
                        1,
                        "openai",
                        model,
                        List.of(price))));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> prices.priceFor("openai", model, Instant.now()).isPresent());
        return price;
    }

    /** A policy that only allow-lists models. */
    static TenantConfigSnapshot.Policy modelsOnly(String... models) {
        return TenantConfigSnapshot.Policy.builder()
                .allowedModels(List.of(models))
                .build();
    }

    /**
     * The status of one chat request with the given credential. The body is read to the end: a response
     * left unread keeps its pooled connection, and enough of those starve the test client's pool.
     */
    int send(String key) {
        return client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getStatus()
                .value();
    }

    /** What key-vault-service publishes when a key changes. */
    void announce(
            String keyId,
            String tenantId,
            String provider,
            KeyLifecycleEvent.KeyKind kind,
            KeyLifecycleEvent.Action action) {
        KeyLifecycleEvent event = new KeyLifecycleEvent(
                UUID.randomUUID(),
                Instant.now(),
                tenantId,
                KeyLifecycleEvent.CURRENT_VERSION,
                keyId,
                provider,
                kind,
                2,
                action,
                "sha256:0000000000000000",
                null);
        producer.send(Topics.KEY_LIFECYCLE, keyId, EventJson.encode(event));
    }
}
