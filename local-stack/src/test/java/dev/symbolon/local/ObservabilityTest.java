package dev.symbolon.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.symbolon.local.LocalStack.Service;
import dev.symbolon.support.testing.OtlpReceiver;
import dev.symbolon.support.testing.OtlpReceiver.ReceivedSpan;
import dev.symbolon.support.testing.RawHttp;
import dev.symbolon.support.testing.Scrape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole stack with tracing on (every service exporting to a real OTLP/HTTP receiver) and metrics
 * scraped as Prometheus would: one request's trace followed from the client's {@code traceparent}
 * through the edge, key-vault-service and analytics' ingest to the webhook its quota triggered, and
 * each service's {@code /actuator/prometheus} after that traffic.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityTest {

    static final String SERVER_KEY_CANARY = "sk-canary-traced-" + UUID.randomUUID();
    static final String PROMPT_CANARY = "prompt-canary-" + UUID.randomUUID();
    static final String COMPLETION_CANARY = "completion-canary-" + UUID.randomUUID();
    static final String CLIENT_TRACE = UUID.randomUUID().toString().replace("-", "");
    static final String CLIENT_SPAN = "00f067aa0ba902b7";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path data;

    /** Every log event of the stack after start-up. */
    static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
            new ch.qos.logback.core.read.ListAppender<>();

    static OtlpReceiver otlp;
    static WireMockServer upstream;
    static LocalStack stack;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final StallReport stalls = StallReport.of(() -> stack);

    static String credential;
    static String tenantId;

    @BeforeAll
    static void start() throws Exception {
        otlp = new OtlpReceiver();
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
                                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
                                + COMPLETION_CANARY
                                + "\"}}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7}}")));
        upstream.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204)));

        Map<String, String> tracing = Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                otlp.endpoint(),
                // export every 100 ms, not every 5 s
                "otel.bsp.schedule.delay",
                "100");
        Map<Service, Map<String, String>> extra = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            extra.put(service, new HashMap<>(tracing));
        }
        extra.get(Service.EDGE).put("symbolon.edge.providers.openai.base-url", upstream.baseUrl() + "/v1");
        // listeners' lag read every second, not every 30 s
        extra.get(Service.ANALYTICS).put("symbolon.kafka.lag-check-interval", "1s");
        extra.get(Service.DISPATCHER).put("symbolon.kafka.lag-check-interval", "1s");
        extra.get(Service.KEY_VAULT).put("symbolon.key-vault.server-keys.openai.api-key", SERVER_KEY_CANARY);
        stack = LocalStack.start(FreePorts.stack(data, Map.of(), extra));
        ch.qos.logback.classic.LoggerContext logging =
                (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        logs.setContext(logging);
        logs.start();
        logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(logs);

        // a tenant whose one request a day is its whole quota, with a webhook for when it is used up
        tenantId = admin("POST", "/admin/tenants", "{\"name\":\"Traced\",\"timeZone\":\"UTC\",\"plan\":\"test\"}")
                .path("tenantId")
                .asString();
        String appId = admin("POST", "/admin/tenants/" + tenantId + "/apps", "{\"name\":\"traced app\"}")
                .path("appId")
                .asString();
        credential = admin("POST", "/admin/tenants/" + tenantId + "/apps/" + appId + "/credentials", "{}")
                .path("key")
                .asString();
        admin("PUT", "/admin/tenants/" + tenantId + "/policy", "{\"requestsPerDay\":1}");
        String endpointId = admin(
                        "POST",
                        "/admin/tenants/" + tenantId + "/webhooks",
                        "{\"url\":\"" + upstream.baseUrl() + "/hook\",\"eventTypes\":[\"quota.exhausted\"]}")
                .path("endpoint")
                .path("endpointId")
                .asString();
        // the edge knows the app, and the dispatcher the endpoint
        await().atMost(Duration.ofSeconds(30))
                .until(() -> send(stack.url(Service.EDGE) + "/analytics/my-stats", credential, "GET", null, Map.of())
                                .statusCode()
                        == 200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> send(
                                        stack.url(Service.DISPATCHER) + "/webhooks/tenants/" + tenantId + "/endpoints/"
                                                + endpointId + "/test",
                                        stack.adminToken().reveal(),
                                        "POST",
                                        "",
                                        Map.of())
                                .statusCode()
                        < 300);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        upstream.stop();
        otlp.close();
    }

    @Test
    @Order(1)
    void one_requests_trace_runs_from_the_client_through_key_vault_and_ingest_to_its_webhook_delivery()
            throws Exception {
        HttpResponse<String> answer = send(
                stack.url(Service.EDGE) + "/openai/v1/chat/completions",
                credential,
                "POST",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT_CANARY + "\"}]}",
                Map.of("traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01"));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> upstream.findAll(postRequestedFor(urlEqualTo("/hook"))).stream()
                        .anyMatch(r -> r.getBodyAsString().contains("quota.exhausted")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(otlp.trace(CLIENT_TRACE))
                .as("the trace's spans; all spans: %s; unreadable: %s", otlp.spans(), otlp.failures())
                .anyMatch(s -> s.name().equals("webhook deliver")));
        List<ReceivedSpan> trace = otlp.trace(CLIENT_TRACE);

        ReceivedSpan edge = one(trace, "edge-proxy", "SPAN_KIND_SERVER");
        assertThat(edge.parentSpanId()).as("the client's span is the parent").isEqualTo(CLIENT_SPAN);
        assertThat(edge.name()).isEqualTo("POST /openai/v1/**");
        ReceivedSpan call = one(trace, "edge-proxy", "SPAN_KIND_CLIENT");
        assertThat(call.parentSpanId()).isEqualTo(edge.spanId());
        assertThat(call.name()).isEqualTo("chat gpt-4o-mini");
        assertThat(call.attributes())
                .containsEntry("gen_ai.system", "openai")
                .containsEntry("gen_ai.request.model", "gpt-4o-mini")
                .containsEntry("gen_ai.usage.input_tokens", "11")
                .containsEntry("gen_ai.usage.output_tokens", "7")
                .containsEntry("http.response.status_code", "200");
        ReceivedSpan keyVault = one(trace, "key-vault-service", "SPAN_KIND_SERVER");
        assertThat(keyVault.parentSpanId()).isEqualTo(edge.spanId());
        assertThat(keyVault.name()).isEqualTo("GET /internal/v1/server-key-pools/{provider}");
        ReceivedSpan ingest = one(trace, "usage-analytics-service", "SPAN_KIND_CONSUMER");
        assertThat(ingest.parentSpanId()).isEqualTo(edge.spanId());
        assertThat(ingest.attributes()).containsEntry("messaging.destination.name", "usage-recorded.v1");
        ReceivedSpan delivery = one(trace, "webhook-dispatcher", "SPAN_KIND_CLIENT");
        assertThat(delivery.parentSpanId())
                .as("the ingest that crossed the quota")
                .isEqualTo(ingest.spanId());
        assertThat(delivery.attributes()).containsEntry("http.response.status_code", "204");

        // the provider sees neither the client's trace context nor the edge's
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .isNotEmpty()
                .allSatisfy(
                        sent -> assertThat(sent.containsHeader("traceparent")).isFalse());

        // nothing secret and no text of the conversation in anything exported
        for (byte[] body : otlp.bodies()) {
            String text = new String(body, StandardCharsets.ISO_8859_1);
            assertThat(text)
                    .doesNotContain(SERVER_KEY_CANARY)
                    .doesNotContain(credential)
                    .doesNotContain(PROMPT_CANARY)
                    .doesNotContain(COMPLETION_CANARY)
                    .doesNotContain(stack.adminToken().reveal())
                    .doesNotContain(upstream.baseUrl() + "/hook");
        }
    }

    @Test
    @Order(2)
    void every_service_is_scraped_after_that_traffic_and_is_ready_naming_its_components() {
        String token = stack.metricsToken().reveal();
        Scrape edge = Scrape.of(stack.port(Service.EDGE), token);
        assertThat(edge.value(
                        "gen_ai_client_token_usage_sum",
                        "gen_ai_provider_name",
                        "openai",
                        "gen_ai_token_type",
                        "input"))
                .isEqualTo(11);
        assertThat(edge.value("symbolon_edge_requests_total", "provider", "openai", "outcome", "success"))
                .isEqualTo(1);
        assertThat(edge.value("cache_gets_total", "cache", "provider-keys", "result", "miss"))
                .isGreaterThanOrEqualTo(1);

        Scrape keyVault = Scrape.of(stack.port(Service.KEY_VAULT), token);
        assertThat(keyVault.value("symbolon_keys_operations_total", "operation", "served", "kind", "server"))
                .isGreaterThanOrEqualTo(1);
        assertThat(keyVault.has("symbolon_keystore_calls_seconds_count", "store", "local", "operation", "decrypt"))
                .isTrue();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> Scrape.of(stack.port(Service.ANALYTICS), token)
                                .value("symbolon_analytics_events_ingested_total")
                        >= 1);
        Scrape analytics = Scrape.of(stack.port(Service.ANALYTICS), token);
        assertThat(analytics.value("symbolon_outbox_published_total", "table", "outbox"))
                .isGreaterThanOrEqualTo(3); // the three thresholds of the one request: 50, 80 and 100 %

        Scrape dispatcher = Scrape.of(stack.port(Service.DISPATCHER), token);
        assertThat(dispatcher.value("symbolon_webhooks_attempts_total", "outcome", "delivered"))
                .isGreaterThanOrEqualTo(2); // the test ping and quota.exhausted

        Scrape admin = Scrape.of(stack.port(Service.ADMIN), token);
        assertThat(admin.value("symbolon_outbox_published_total", "table", "outbox"))
                .isGreaterThanOrEqualTo(4); // the tenant's snapshots and audit entries

        for (Service service : Service.values()) {
            Scrape scrape = Scrape.of(stack.port(service), token);
            assertThat(scrape.labelValues("jvm_threads_live_threads", "application"))
                    .as(service.moduleName())
                    .containsExactly(service.moduleName());
            assertThat(scrape.text())
                    .as(service.moduleName())
                    .doesNotContain(credential)
                    .doesNotContain(SERVER_KEY_CANARY)
                    .doesNotContain(tenantId);
            RawHttp.Response ready = RawHttp.get(stack.port(service), "/actuator/health/readiness");
            assertThat(ready.status()).as(service.moduleName()).isEqualTo(200);
            assertThat(ready.body())
                    .as(service.moduleName())
                    .contains("\"components\"")
                    .doesNotContain("details");
        }
    }

    /**
     * Every metric the dashboard kept in the repo plots is one the services export: after traffic
     * that also refuses, fails upstream, goes unpriced and dead-letters (the meters made on first use).
     */
    @Test
    @Order(3)
    void every_metric_the_dashboard_plots_is_one_the_services_export() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("failing-model"))
                .willReturn(aResponse().withStatus(503).withBody("{\"error\":{\"message\":\"overloaded\"}}")));
        String demo = stack.demoCredential().reveal();
        String chat = stack.url(Service.EDGE) + "/openai/v1/chat/completions";
        // the traced tenant's one request a day is used: refused
        assertThat(send(chat, credential, "POST", "{\"model\":\"gpt-4o-mini\"}", Map.of())
                        .statusCode())
                .isEqualTo(429);
        assertThat(send(chat, demo, "POST", "{\"model\":\"failing-model\"}", Map.of())
                        .statusCode())
                .isEqualTo(503);
        assertThat(send(chat, demo, "POST", "{\"model\":\"model-nobody-priced\"}", Map.of())
                        .statusCode())
                .isEqualTo(200);
        java.util.Properties kafka = new java.util.Properties();
        kafka.put("bootstrap.servers", stack.kafkaBootstrapServers());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                kafka,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                            dev.symbolon.contracts.Topics.USAGE_RECORDED, "t_x", "not an event".getBytes()))
                    .get();
        }

        JsonNode dashboard =
                JSON.readTree(java.nio.file.Files.readString(Path.of("../helm/symbolon/dashboards/symbolon.json")));
        java.util.Set<String> plotted = new java.util.TreeSet<>();
        java.util.regex.Matcher names = java.util.regex.Pattern.compile("\\b(?:symbolon|gen_ai|cache)_[a-z0-9_]+")
                .matcher(dashboard.findValues("expr").toString());
        while (names.find()) {
            plotted.add(names.group());
        }
        assertThat(plotted).hasSizeGreaterThan(15);
        String token = stack.metricsToken().reveal();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            java.util.Set<String> exported = new java.util.HashSet<>();
            for (Service service : Service.values()) {
                // the metrics' names, and their labels' (the dashboard groups by those)
                Scrape.of(stack.port(service), token).samples().forEach(s -> {
                    exported.add(s.name());
                    exported.addAll(s.labels().keySet());
                });
            }
            assertThat(exported).containsAll(plotted);
        });
    }

    @Test
    @Order(4)
    void a_requests_log_lines_carry_its_request_id_and_the_trace_id_its_spans_have() throws Exception {
        String groqKey = "gsk-canary-logged-" + UUID.randomUUID();
        admin("POST", "/admin/provider-keys", "{\"provider\":\"groq\",\"apiKey\":\"" + groqKey + "\",\"label\":\"x\"}");

        ch.qos.logback.classic.spi.ILoggingEvent created = logs.list.stream()
                .filter(e -> e.getFormattedMessage().startsWith("server key ")
                        && e.getFormattedMessage().contains(" for groq created"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("key-vault-service logged no creation"));
        Map<String, String> mdc = created.getMDCPropertyMap();
        assertThat(mdc.get("requestId")).isNotBlank();
        assertThat(mdc.get("traceId")).matches("[0-9a-f]{32}");
        await().atMost(Duration.ofSeconds(10)).until(() -> otlp.trace(mdc.get("traceId")).stream()
                .anyMatch(s ->
                        s.service().equals("key-vault-service") && s.spanId().equals(mdc.get("spanId"))));
        assertThat(logs.list)
                .noneMatch(e -> e.getFormattedMessage().contains(groqKey)
                        || e.getMDCPropertyMap().toString().contains(groqKey));
    }

    /**
     * A traced request to a path no route claims is refused as it would be untraced (the one error
     * shape, not a 500 from a route attribute that is absent), and its span names no route: a path
     * holds ids and client text, never a span name.
     */
    @Test
    @Order(5)
    void a_traced_request_to_a_path_no_route_claims_is_refused_and_its_span_names_no_route() throws Exception {
        String[] unclaimed = {"/nowhere", "/openai", "/openaix/v1/chat/completions", "/compatible"};
        for (int i = 0; i < unclaimed.length; i++) {
            String traceId = String.format("%032x", 0xabc000L + i);
            RawHttp.Response refused = RawHttp.send(
                    stack.port(Service.EDGE),
                    "GET",
                    unclaimed[i] + "/t_secretish_" + i,
                    Map.of(
                            "Authorization",
                            "Bearer " + credential,
                            "traceparent",
                            "00-" + traceId + "-00000000000000aa-01"),
                    null);
            assertThat(refused.status()).as(unclaimed[i]).isEqualTo(404);
            assertThat(refused.body()).as(unclaimed[i]).contains("\"error\":{\"type\":\"");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(otlp.trace(traceId))
                    .as("the trace's spans; all spans: %s", otlp.spans())
                    .isNotEmpty());
            ReceivedSpan span = one(otlp.trace(traceId), "edge-proxy", "SPAN_KIND_SERVER");
            assertThat(span.name()).as(unclaimed[i]).isEqualTo("GET");
            assertThat(span.attributes())
                    .as(unclaimed[i])
                    .doesNotContainKey("http.route")
                    .containsEntry("http.response.status_code", "404");
            assertThat(span.toString()).doesNotContain("t_secretish_");
        }
    }

    private static ReceivedSpan one(List<ReceivedSpan> trace, String service, String kind) {
        List<ReceivedSpan> found = trace.stream()
                .filter(s -> s.service().equals(service) && s.kind().equals(kind))
                .toList();
        assertThat(found).as(service + " " + kind + " in " + trace).hasSize(1);
        return found.get(0);
    }

    private static JsonNode admin(String method, String path, String body) throws Exception {
        HttpResponse<String> response =
                send(stack.url(Service.ADMIN) + path, stack.adminToken().reveal(), method, body, Map.of());
        assertThat(response.statusCode())
                .as(method + " " + path + ": " + response.body())
                .isBetween(200, 204);
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(
            String url, String token, String method, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
