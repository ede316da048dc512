package dev.symbolon.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.local.LocalStack.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The walking skeleton, end to end through the real launcher: embedded PostgreSQL, an embedded KRaft
 * broker, the five services in their own contexts, WireMock playing OpenAI. One request crosses
 * every layer: edge → key-vault-service → upstream → Kafka → usage-analytics-service → PostgreSQL →
 * finance API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalkingSkeletonTest {

    /** The operator's OpenAI key: must reach the upstream and nothing else. */
    static final String SERVER_KEY_CANARY = "sk-canary-server-" + UUID.randomUUID();

    static final String UPSTREAM_BODY =
            """
            {"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18,
                      "prompt_tokens_details":{"cached_tokens":3}}}""";

    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String DEMO_BODY = "{\"model\":\"demo-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    static Path data;

    static WireMockServer openai;
    static LocalStack stack;
    static LocalStack.Options options;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final StallReport stalls = StallReport.of(() -> stack);

    static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        openai = new WireMockServer(options().dynamicPort());
        openai.start();
        openai.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withHeader("x-request-id", "upstream-req-1")
                        .withBody(UPSTREAM_BODY)));

        options = FreePorts.stack(
                data,
                Map.of(),
                Map.of(
                        Service.EDGE,
                        Map.of(
                                "symbolon.edge.providers.openai.base-url", openai.baseUrl() + "/v1",
                                "symbolon.edge.providers.groq.base-url", openai.baseUrl() + "/groq/v1",
                                "symbolon.edge.providers.mistral.base-url", openai.baseUrl() + "/mistral/v1"),
                        Service.KEY_VAULT,
                        Map.of("symbolon.key-vault.server-keys.openai.api-key", SERVER_KEY_CANARY)));
        stack = LocalStack.start(options);
        // Every log event of every service from here on, to check that no secret is ever logged.
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        logs.setContext(logging);
        logs.start();
        logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(logs);
        secrets.add(SERVER_KEY_CANARY);
        secrets.add(stack.demoCredential().reveal());
        secrets.add(stack.adminToken().reveal());
    }

    /** Log events of the whole stack, captured after start-up. */
    static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    /** Every secret the tests create or use; none may appear in a log line. */
    static final List<String> secrets = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (openai != null) {
            openai.stop();
        }
    }

    @Test
    @Order(1)
    void one_request_crosses_every_layer_and_shows_in_analytics() throws Exception {
        String requestBody = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

        HttpResponse<String> response =
                edge("/openai/v1/chat/completions", stack.demoCredential().reveal(), requestBody);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree(UPSTREAM_BODY));
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        assertThat(requestId).startsWith("req_");
        assertThat(response.headers().firstValue("x-upstream-request-id")).contains("upstream-req-1");
        assertThat(response.headers().firstValue("x-symbolon-overhead-ms").orElseThrow())
                .matches("\\d+");

        // The upstream got the operator's key, the client's body, and not the client's credential.
        openai.verify(
                1,
                postRequestedFor(urlEqualTo("/v1/chat/completions"))
                        .withHeader("Authorization", equalTo("Bearer " + SERVER_KEY_CANARY))
                        .withRequestBody(equalToJson(requestBody)));
        LoggedRequest received = openai.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))
                .get(0);
        assertThat(received.getHeaders().all().toString())
                .doesNotContain(stack.demoCredential().reveal());

        JsonNode fact = awaitUsageFact(requestId);
        assertThat(fact.path("provider").asString()).isEqualTo("openai");
        assertThat(fact.path("model").asString()).isEqualTo("gpt-4o-mini");
        assertThat(fact.path("endpoint").asString()).isEqualTo("/chat/completions");
        assertThat(fact.path("appId").asString()).isEqualTo(stack.demoAppId());
        assertThat(fact.path("keyId").asString()).startsWith("key_");
        assertThat(fact.path("status").asInt()).isEqualTo(200);
        assertThat(fact.path("outcome").asString()).isEqualTo("SUCCESS");
        assertThat(fact.path("inputTokens").asLong()).isEqualTo(11);
        assertThat(fact.path("outputTokens").asLong()).isEqualTo(7);
        assertThat(fact.path("cachedInputTokens").asLong()).isEqualTo(3);
        assertThat(rowsWithRequestId(requestId)).isEqualTo(1);
    }

    @Test
    @Order(2)
    void a_redelivered_usage_event_is_stored_once() throws Exception {
        ConsumerRecord<String, byte[]> original = usageRecords().get(0);
        UsageRecorded event = EventJson.decode(original.value(), UsageRecorded.class);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.USAGE_RECORDED, original.key(), original.value()));
            producer.send(new ProducerRecord<>(Topics.USAGE_RECORDED, original.key(), original.value()));
            producer.flush();
        }
        // A later request from the same tenant lands on the same partition, after the duplicates.
        HttpResponse<String> marker =
                edge("/openai/v1/chat/completions", stack.demoCredential().reveal(), "{\"model\":\"gpt-4o-mini\"}");
        awaitUsageFact(marker.headers().firstValue("x-request-id").orElseThrow());

        assertThat(rowsWithEventId(event.eventId())).isEqualTo(1);
    }

    @Test
    @Order(3)
    void the_demo_provider_streams_through_the_edge_and_is_metered() throws Exception {
        HttpResponse<String> response = edge(
                "/compat/demo/v1/chat/completions",
                stack.demoCredential().reveal(),
                """
                {"model":"demo-1","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"stream please"}]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        List<String> events = response.body()
                .lines()
                .filter(line -> line.startsWith("data: "))
                .toList();
        assertThat(events).hasSizeGreaterThan(5).last().isEqualTo("data: [DONE]");

        JsonNode fact =
                awaitUsageFact(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(fact.path("provider").asString()).isEqualTo("compat:demo");
        assertThat(fact.path("streamed").asBoolean()).isTrue();
        assertThat(fact.path("partial").asBoolean()).isFalse();
        assertThat(fact.path("inputTokens").asLong()).isPositive();
        assertThat(fact.path("outputTokens").asLong()).isEqualTo(events.size() - 3);
    }

    @Test
    @Order(4)
    void the_curls_the_launcher_prints_work_as_printed() throws Exception {
        // Shell line continuations joined, as a shell would.
        List<String> curls = SymbolonLocal.banner(stack, 0)
                .replace("\\\n", " ")
                .lines()
                .map(String::strip)
                .filter(line -> line.startsWith("curl "))
                .toList();
        assertThat(curls).hasSize(3);

        String answer = shell(curls.get(0));
        assertThat(answer).contains("Symbolon demo provider");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(shell(curls.get(1))).contains("\"provider\":\"compat:demo\""));
        assertThat(shell(curls.get(2)))
                .contains("gen_ai_client_token_usage_sum{")
                .contains("gen_ai_provider_name=\"compat:demo\"");
    }

    private static String shell(String command) throws Exception {
        Process process = new ProcessBuilder("timeout", "30", "bash", "-c", command)
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    @Test
    @Order(4)
    void every_topic_of_the_layout_exists_with_its_partitions_and_compaction() throws Exception {
        Properties config = new Properties();
        config.put("bootstrap.servers", stack.kafkaBootstrapServers());
        try (Admin admin = Admin.create(config)) {
            List<String> names = Topics.LAYOUT.stream().map(Topics.Spec::name).toList();
            Map<String, TopicDescription> topics =
                    admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                            .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                            .toList())
                    .all()
                    .get(30, TimeUnit.SECONDS);
            for (Topics.Spec spec : Topics.LAYOUT) {
                assertThat(topics.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions());
                String policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()))
                        .get("cleanup.policy")
                        .value();
                assertThat(policy).as(spec.name()).isEqualTo(spec.compacted() ? "compact" : "delete");
            }
        }
    }

    @Test
    @Order(4)
    void a_bad_credential_is_refused_with_json_and_never_reaches_the_upstream() throws Exception {
        int before = openai.getAllServeEvents().size();

        HttpResponse<String> response = edge("/openai/v1/chat/completions", "sym_live_wrong", "{\"model\":\"x\"}");

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asString()).isEqualTo("invalid_credential");
        assertThat(error.path("requestId").asString())
                .isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(openai.getAllServeEvents()).hasSize(before);
    }

    @Test
    @Order(5)
    void no_key_or_credential_reaches_an_event_or_a_usage_row() throws Exception {
        List<String> secrets = List.of(SERVER_KEY_CANARY, stack.demoCredential().reveal());
        List<String> wire = new ArrayList<>();
        for (String topic : List.of(Topics.USAGE_RECORDED, Topics.KEY_LIFECYCLE, Topics.TENANT_CONFIG)) {
            for (ConsumerRecord<String, byte[]> record : records(topic)) {
                wire.add(new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        assertThat(wire).isNotEmpty();
        try (Connection db = database();
                ResultSet rows = db.createStatement()
                        .executeQuery("select u::text from analytics.usage_fact u"
                                + " union all select k::text from keyvault.provider_key k"
                                + " union all select c::text from admin.app_credential c"
                                + " union all select o::text from admin.outbox o")) {
            while (rows.next()) {
                wire.add(rows.getString(1));
            }
        }
        for (String secret : secrets) {
            assertThat(wire).noneMatch(text -> text.contains(secret));
        }
    }

    @Test
    @Order(6)
    void a_credential_issued_or_revoked_through_admin_api_takes_effect_at_the_edge() throws Exception {
        String credentials = stack.url(Service.ADMIN) + "/admin/tenants/" + stack.demoTenantId() + "/apps/"
                + stack.demoAppId() + "/credentials";
        JsonNode issued = JSON.readTree(admin("POST", credentials, "{}").body());
        String key = issued.path("key").asString();
        secrets.add(key);

        long issuedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        edge("/compat/demo/v1/chat/completions", key, DEMO_BODY).statusCode() == 200);
        long visibleMs = (System.nanoTime() - issuedAt) / 1_000_000;

        admin(
                "DELETE",
                credentials + "/"
                        + issued.path("credential").path("credentialId").asString(),
                null);
        long revokedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        edge("/compat/demo/v1/chat/completions", key, DEMO_BODY).statusCode() == 401);
        long refusedMs = (System.nanoTime() - revokedAt) / 1_000_000;
        System.out.printf("admin change visible at the edge: issue %d ms, revoke %d ms%n", visibleMs, refusedMs);
        assertThat(edge(
                                "/compat/demo/v1/chat/completions",
                                stack.demoCredential().reveal(),
                                DEMO_BODY)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    @Order(6)
    void a_webhook_secret_created_through_admin_api_is_what_key_vault_serves_the_dispatcher() throws Exception {
        JsonNode created = JSON.readTree(admin(
                        "POST",
                        stack.url(Service.ADMIN) + "/admin/tenants/" + stack.demoTenantId() + "/webhooks",
                        "{\"url\":\"http://localhost:9/hook\",\"eventTypes\":[\"quota.exhausted\"]}")
                .body());
        String endpointId = created.path("endpoint").path("endpointId").asString();

        HttpResponse<String> served = http.send(
                request(stack.url(Service.KEY_VAULT) + "/internal/v1/webhook-secrets/" + stack.demoTenantId() + "/"
                                + endpointId)
                        .header(
                                "Authorization",
                                "Bearer " + stack.serviceToken().reveal())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(served.body())
                        .path("secrets")
                        .get(0)
                        .path("secret")
                        .asString())
                .isEqualTo(created.path("secret").asString());
        secrets.add(created.path("secret").asString());
    }

    @Test
    @Order(6)
    void a_provider_key_registered_through_admin_api_is_the_key_the_provider_receives() throws Exception {
        String groqKey = "gsk-canary-" + UUID.randomUUID();
        secrets.add(groqKey);
        openai.stubFor(post(urlEqualTo("/groq/v1/chat/completions"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withBody(UPSTREAM_BODY)));

        String keyId = JSON.readTree(admin(
                                "POST",
                                stack.url(Service.ADMIN) + "/admin/provider-keys",
                                "{\"provider\":\"groq\",\"apiKey\":\"" + groqKey + "\",\"label\":\"test\"}")
                        .body())
                .path("keyId")
                .asString();
        HttpResponse<String> response =
                edge("/groq/openai/v1/chat/completions", stack.demoCredential().reveal(), DEMO_BODY);

        assertThat(response.statusCode()).isEqualTo(200);
        openai.verify(postRequestedFor(urlEqualTo("/groq/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + groqKey)));

        admin("DELETE", stack.url(Service.ADMIN) + "/admin/provider-keys/" + keyId, null);
        long revokedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> edge(
                                        "/groq/openai/v1/chat/completions",
                                        stack.demoCredential().reveal(),
                                        DEMO_BODY)
                                .statusCode()
                        == 403);
        System.out.printf(
                "revoked provider key refused at the edge after %d ms%n", (System.nanoTime() - revokedAt) / 1_000_000);
    }

    @Test
    @Order(6)
    void a_pool_of_server_keys_fails_over_and_analytics_bills_every_attempt_once() throws Exception {
        String limited = "sk-canary-mistral-limited-" + UUID.randomUUID();
        String healthy = "sk-canary-mistral-healthy-" + UUID.randomUUID();
        secrets.add(limited);
        secrets.add(healthy);
        openai.stubFor(post(urlEqualTo("/mistral/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + limited))
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("retry-after", "60")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"Requests rate limit exceeded\"}")));
        openai.stubFor(post(urlEqualTo("/mistral/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + healthy))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withBody(UPSTREAM_BODY.replace("gpt-4o-mini", "mistral-large"))));
        // the heavier key first: the pool's first pick is the one that is rate limited
        String limitedId = registerServerKey("mistral", limited, "limited", 2);
        String healthyId = registerServerKey("mistral", healthy, "healthy", 1);

        HttpResponse<String> response = edge(
                "/mistral/v1/chat/completions",
                stack.demoCredential().reveal(),
                "{\"model\":\"mistral-large\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-symbolon-served-by"))
                .contains("key=" + healthyId + "; target=mistral; attempt=2");
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> rowsWithRequestId(requestId) == 2);
        try (Connection db = database();
                PreparedStatement facts = db.prepareStatement("select key_id, attempt, failed_over, status, cost_usd"
                        + " from analytics.usage_fact where request_id = ? order by attempt")) {
            facts.setString(1, requestId);
            try (ResultSet rs = facts.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(List.of(rs.getString(1), rs.getInt(2), rs.getBoolean(3), rs.getInt(4)))
                        .containsExactly(limitedId, 1, true, 429);
                assertThat(rs.getBigDecimal(5)).isEqualByComparingTo("0");
                assertThat(rs.next()).isTrue();
                assertThat(List.of(rs.getString(1), rs.getInt(2), rs.getBoolean(3), rs.getInt(4)))
                        .containsExactly(healthyId, 2, false, 200);
                // 11 input and 7 output tokens at 2 and 6 dollars per million
                assertThat(rs.getBigDecimal(5)).isEqualByComparingTo("0.000064");
            }
        }
        // What finance reads adds up to the facts: one request, one failed-over attempt, every cost.
        String range = "&from=" + Instant.now().minus(Duration.ofDays(1)) + "&to="
                + Instant.now().plus(Duration.ofDays(1));
        JsonNode costs = JSON.readTree(analytics(
                        stack.adminToken().reveal(),
                        "/analytics/costs?tenantId=" + stack.demoTenantId() + "&provider=mistral&groupBy=key" + range)
                .body());
        assertThat(costs.path("totals").path("requests").asLong()).isEqualTo(1);
        assertThat(costs.path("totals").path("failedOverAttempts").asLong()).isEqualTo(1);
        assertThat(costs.path("totals").path("costUsd").decimalValue()).isEqualByComparingTo("0.000064");

        // the limited key is left alone for the 60 s it asked: the next request goes straight to the other
        HttpResponse<String> next = edge(
                "/mistral/v1/chat/completions",
                stack.demoCredential().reveal(),
                "{\"model\":\"mistral-large\",\"messages\":[]}");
        assertThat(next.headers().firstValue("x-symbolon-served-by"))
                .contains("key=" + healthyId + "; target=mistral; attempt=1");
        openai.verify(
                1,
                postRequestedFor(urlEqualTo("/mistral/v1/chat/completions"))
                        .withHeader("Authorization", equalTo("Bearer " + limited)));
    }

    private static String registerServerKey(String provider, String apiKey, String label, int weight) throws Exception {
        HttpResponse<String> registered = admin(
                "POST",
                stack.url(Service.ADMIN) + "/admin/provider-keys",
                "{\"provider\":\"" + provider + "\",\"apiKey\":\"" + apiKey + "\",\"label\":\"" + label
                        + "\",\"weight\":" + weight + "}");
        assertThat(registered.statusCode()).isEqualTo(201);
        return JSON.readTree(registered.body()).path("keyId").asString();
    }

    @Test
    @Order(6)
    void a_split_key_made_through_the_edge_reaches_the_provider_whole_and_nowhere_else() throws Exception {
        String tenantKey = "sk-canary-split-" + UUID.randomUUID();
        secrets.add(tenantKey);
        String credential = stack.demoCredential().reveal();

        HttpResponse<String> created =
                edge("/api/split-key/split", credential, "{\"provider\":\"openai\",\"apiKey\":\"" + tenantKey + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode key = JSON.readTree(created.body());
        String keyId = key.path("keyId").asString();
        String clientPart = key.path("clientPart").asString();
        secrets.add(clientPart);
        assertThat(key.path("kind").asString()).isEqualTo("split");

        openai.resetRequests();
        HttpResponse<String> used = split(keyId, clientPart);
        assertThat(used.statusCode()).as(used.body()).isEqualTo(200);
        LoggedRequest sent = openai.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))
                .get(0);
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + tenantKey);
        assertThat(sent.getAllHeaderKeys()).noneMatch(h -> h.toLowerCase().startsWith("x-partial-key"));
        assertThat(split(keyId, "A".repeat(43)).statusCode()).isEqualTo(401);

        // Neither the key nor the client part is in any table of any service or on any topic.
        try (Connection db = database();
                PreparedStatement tables =
                        db.prepareStatement("select table_schema, table_name from information_schema.tables"
                                + " where table_schema in ('keyvault','admin','analytics','webhooks')");
                ResultSet names = tables.executeQuery()) {
            while (names.next()) {
                try (PreparedStatement rows = db.prepareStatement(
                                "select t::text from " + names.getString(1) + "." + names.getString(2) + " t");
                        ResultSet row = rows.executeQuery()) {
                    while (row.next()) {
                        assertThat(row.getString(1)).doesNotContain(tenantKey).doesNotContain(clientPart);
                    }
                }
            }
        }
        for (String topic : List.of(
                Topics.TENANT_CONFIG, Topics.KEY_LIFECYCLE, Topics.USAGE_RECORDED, Topics.NOTIFICATION, Topics.AUDIT)) {
            assertThat(records(topic))
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .noneMatch(v -> v.contains(tenantKey) || v.contains(clientPart));
        }

        HttpResponse<String> revoked = http.send(
                request(stack.url(Service.EDGE) + "/api/split-key/" + keyId)
                        .header("Authorization", "Bearer " + credential)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).isEqualTo(204);
        long revokedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> split(keyId, clientPart).statusCode() == 401);
        System.out.printf(
                "revoked split key refused at the edge after %d ms%n", (System.nanoTime() - revokedAt) / 1_000_000);
    }

    @Test
    @Order(6)
    void the_edge_closes_a_cost_quota_within_a_second_of_analytics_counting_it() throws Exception {
        // A tenant of its own: $5 a day; each request below costs $3.50 at gpt-4o's list price.
        String tenantId = JSON.readTree(admin(
                                "POST",
                                stack.url(Service.ADMIN) + "/admin/tenants",
                                "{\"name\":\"Budget Co\",\"timeZone\":\"Europe/Berlin\",\"plan\":\"pro\"}")
                        .body())
                .path("tenantId")
                .asString();
        String appId = JSON.readTree(admin(
                                "POST",
                                stack.url(Service.ADMIN) + "/admin/tenants/" + tenantId + "/apps",
                                "{\"name\":\"budget app\"}")
                        .body())
                .path("appId")
                .asString();
        String key = JSON.readTree(admin(
                                "POST",
                                stack.url(Service.ADMIN) + "/admin/tenants/" + tenantId + "/apps/" + appId
                                        + "/credentials",
                                "{}")
                        .body())
                .path("key")
                .asString();
        secrets.add(key);
        admin("PUT", stack.url(Service.ADMIN) + "/admin/tenants/" + tenantId + "/policy", "{\"costPerDayUsd\":5}");
        openai.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-4o")))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":"
                                + "{\"prompt_tokens\":1000000,\"completion_tokens\":100000}}")));
        String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        await().atMost(Duration.ofSeconds(10))
                .until(() -> edge("/openai/v1/chat/completions", key, body).statusCode() == 200);

        HttpResponse<String> overBudget = edge("/openai/v1/chat/completions", key, body);
        assertThat(overBudget.statusCode()).isEqualTo(200); // $7.00 spent now: analytics has yet to count it
        long spentAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> edge("/openai/v1/chat/completions", key, body).statusCode() == 429);
        long closedMs = (System.nanoTime() - spentAt) / 1_000_000;
        HttpResponse<String> refused = edge("/openai/v1/chat/completions", key, body);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("x-symbolon-limit")).hasValue("cost-per-day (tenant)");
        assertThat(JSON.readTree(refused.body()).path("error").path("type").asString())
                .isEqualTo("quota_exceeded");
        System.out.printf("cost quota closed at the edge %d ms after the request that spent it%n", closedMs);

        // The app reads its own spend through the edge (seed-compatible my-stats).
        HttpResponse<String> stats = http.send(
                request(stack.url(Service.EDGE) + "/analytics/my-stats")
                        .header("Authorization", "Bearer " + key)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
        JsonNode today = JSON.readTree(stats.body()).path("today");
        assertThat(today.path("requests").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(new java.math.BigDecimal(today.path("costUsd").asString()))
                .isGreaterThanOrEqualTo(new java.math.BigDecimal("7.00"));
    }

    @Test
    @Order(6)
    void analytics_accepts_admin_jwts_from_admin_api_and_scopes_a_tenant_admin_to_its_tenant() throws Exception {
        // A tenant-admin key for the demo tenant, exchanged for a short-lived JWT at admin-api.
        String adminKey = JSON.readTree(admin(
                                "POST",
                                stack.url(Service.ADMIN) + "/admin/admin-keys",
                                "{\"role\":\"tenant-admin\",\"tenantId\":\"" + stack.demoTenantId()
                                        + "\",\"label\":\"analytics check\"}")
                        .body())
                .path("key")
                .asString();
        secrets.add(adminKey);
        HttpResponse<String> token = http.send(
                request(stack.url(Service.ADMIN) + "/admin/auth/token")
                        .header("Authorization", "Bearer " + adminKey)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        String jwt = JSON.readTree(token.body()).path("access_token").asString();

        assertThat(analytics(jwt, "/analytics/costs?tenantId=" + stack.demoTenantId())
                        .statusCode())
                .isEqualTo(200);
        assertThat(analytics(jwt, "/analytics/costs?tenantId=t_someoneelse").statusCode())
                .isEqualTo(404);
    }

    private static HttpResponse<String> analytics(String token, String path) throws Exception {
        return http.send(
                request(stack.url(Service.ANALYTICS) + path)
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(6)
    void a_key_created_at_the_edge_reaches_the_tenants_webhook_signed_with_the_secret_admin_api_showed()
            throws Exception {
        openai.stubFor(post(urlEqualTo("/tenant-hook")).willReturn(aResponse().withStatus(204)));
        JsonNode created = JSON.readTree(admin(
                        "POST",
                        stack.url(Service.ADMIN) + "/admin/tenants/" + stack.demoTenantId() + "/webhooks",
                        "{\"url\":\"" + openai.baseUrl() + "/tenant-hook\",\"eventTypes\":[\"key.created\"]}")
                .body());
        String secret = created.path("secret").asString();
        secrets.add(secret);

        // Until the dispatcher has the endpoint from the tenant's snapshot, key events are not for it.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    HttpResponse<String> key = edge(
                            "/byok/keys",
                            stack.demoCredential().reveal(),
                            "{\"provider\":\"openai\",\"apiKey\":\"sk-webhook-canary-" + UUID.randomUUID() + "\"}");
                    secrets.add(JSON.readTree(key.body()).path("clientPart").asString());
                    return !openai.findAll(postRequestedFor(urlEqualTo("/tenant-hook")))
                            .isEmpty();
                });

        LoggedRequest hook =
                openai.findAll(postRequestedFor(urlEqualTo("/tenant-hook"))).get(0);
        String body = hook.getBodyAsString();
        assertThat(JSON.readTree(body).path("type").asString()).isEqualTo("key.created");
        assertThat(body).doesNotContain("sk-webhook-canary");
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(
                java.util.Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String expected = "v1,"
                + java.util.Base64.getEncoder()
                        .encodeToString(mac.doFinal(
                                (hook.getHeader("webhook-id") + "." + hook.getHeader("webhook-timestamp") + "." + body)
                                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(hook.getHeader("webhook-signature").split(" ")).contains(expected);
    }

    private static HttpResponse<String> split(String keyId, String clientPart) throws Exception {
        return http.send(
                request(stack.url(Service.EDGE) + "/openai/v1/chat/completions")
                        .header(
                                "Authorization",
                                "Bearer " + stack.demoCredential().reveal())
                        .header("X-Partial-Key-Id", keyId)
                        .header("X-Partial-Key", clientPart)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(DEMO_BODY))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(String method, String url, String body) throws Exception {
        HttpResponse<String> response = http.send(
                request(url)
                        .header("Authorization", "Bearer " + stack.adminToken().reveal())
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 204);
        return response;
    }

    @Test
    @Order(7)
    void no_service_logged_a_key_a_credential_or_a_secret() {
        List<String> lines = logs.list.stream()
                .map(event -> event.getFormattedMessage()
                        + (event.getThrowableProxy() == null
                                ? ""
                                : " " + event.getThrowableProxy().getMessage()))
                .toList();

        assertThat(lines).isNotEmpty();
        assertThat(secrets).hasSizeGreaterThanOrEqualTo(9);
        for (String secret : secrets) {
            assertThat(lines).noneMatch(line -> line.contains(secret));
        }
    }

    @Test
    @Order(8)
    void a_restart_on_the_same_data_directory_keeps_data_and_credentials() throws Exception {
        String credential = stack.demoCredential().reveal();
        long factsBefore = countFacts();
        stack.close();
        stack = null;

        stack = LocalStack.start(options);

        assertThat(stack.demoCredential().reveal()).isEqualTo(credential);
        assertThat(countFacts()).isEqualTo(factsBefore);
        HttpResponse<String> response = edge("/openai/v1/chat/completions", credential, "{\"model\":\"gpt-4o-mini\"}");
        assertThat(response.statusCode()).isEqualTo(200);
        awaitUsageFact(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(countFacts()).isEqualTo(factsBefore + 1);
    }

    /** Every request of these tests gives up after 30 s, so a stalled service fails a test rather than hanging it. */
    private static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    }

    private static HttpResponse<String> edge(String path, String credential, String body) throws Exception {
        return http.send(
                request(stack.url(Service.EDGE) + path)
                        .header("Authorization", "Bearer " + credential)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode awaitUsageFact(String requestId) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> findFact(requestId), fact -> fact != null);
    }

    private static JsonNode findFact(String requestId) throws Exception {
        HttpResponse<String> response = http.send(
                request(stack.url(Service.ANALYTICS) + "/analytics/usage?tenantId=" + stack.demoTenantId()
                                + "&limit=1000")
                        .header("Authorization", "Bearer " + stack.adminToken().reveal())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        for (JsonNode fact : JSON.readTree(response.body()).path("recent")) {
            if (requestId.equals(fact.path("requestId").asString())) {
                return fact;
            }
        }
        return null;
    }

    private static long countFacts() throws SQLException {
        try (Connection db = database();
                ResultSet rs = db.createStatement().executeQuery("select count(*) from analytics.usage_fact")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long rowsWithRequestId(String requestId) throws SQLException {
        return count("select count(*) from analytics.usage_fact where request_id = ?", requestId);
    }

    private static long rowsWithEventId(UUID eventId) throws SQLException {
        return count("select count(*) from analytics.usage_fact where event_id = ?", eventId);
    }

    private static long count(String sql, Object parameter) throws SQLException {
        try (Connection db = database();
                PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Connection database() throws SQLException {
        return DriverManager.getConnection(stack.postgresJdbcUrl(), "postgres", "");
    }

    private static List<ConsumerRecord<String, byte[]>> usageRecords() {
        return records(Topics.USAGE_RECORDED);
    }

    /** Everything on a topic so far, read from the beginning by a throwaway consumer. */
    private static List<ConsumerRecord<String, byte[]>> records(String topic) {
        Properties config = new Properties();
        config.put("bootstrap.servers", stack.kafkaBootstrapServers());
        config.put("group.id", "test-reader-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        config.put("enable.auto.commit", "false");
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                int before = all.size();
                consumer.poll(Duration.ofMillis(300)).forEach(all::add);
                return !all.isEmpty() && all.size() == before;
            });
        }
        return all;
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties config = new Properties();
        config.put("bootstrap.servers", stack.kafkaBootstrapServers());
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }
}
