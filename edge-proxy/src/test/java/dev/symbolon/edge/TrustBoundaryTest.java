package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.symbolon.contracts.SplitKey;
import dev.symbolon.edge.provider.KeyScrubber;
import dev.symbolon.support.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * What a hostile client or upstream tries against the trust boundary of the edge: key headers that
 * could fall back to the operator's key, headers that ride along with it, bodies that dodge the model
 * allow-list, upstreams that echo the key, path spellings and endpoints the shared key must not reach.
 * Requests go over raw sockets where a client library would normalize them.
 */
class TrustBoundaryTest extends EdgeContextTest {

    private static final String CHAT = "/openai/v1/chat/completions";

    @Test
    void a_partial_key_header_means_that_tenant_key_or_a_refusal_never_the_server_key() {
        Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        cases.put("X-Partial-Key without its id", Map.of("X-Partial-Key", SplitKey.encodeClientPart(new byte[32])));
        cases.put("X-Partial-Key-Id without the key", Map.of("X-Partial-Key-Id", "key_0123456789abcdef"));
        for (var c : cases.entrySet()) {
            RawHttp.Response response = raw("POST", CHAT, withCredential(c.getValue()), "{\"model\":\"gpt-4o\"}");
            assertThat(response.status()).as(c.getKey()).isEqualTo(401);
            assertThat(response.body()).as(c.getKey()).contains("\"type\":\"invalid_partial_key\"");
        }
        Map<String, Map<String, String>> ambiguous = new LinkedHashMap<>();
        ambiguous.put("underscore spelling", Map.of("x_partial_key_id", "key_0123456789abcdef"));
        ambiguous.put("underscore key", Map.of("X_Partial_Key", "abc"));
        ambiguous.put(
                "managed and split at once",
                Map.of("X-Symbolon-Key-Id", "key_0123456789abcdef", "X-Partial-Key-Id", "key_0123456789abcdef"));
        for (var c : ambiguous.entrySet()) {
            RawHttp.Response response = raw("POST", CHAT, withCredential(c.getValue()), "{\"model\":\"gpt-4o\"}");
            assertThat(response.status()).as(c.getKey()).isEqualTo(400);
            assertThat(response.body()).as(c.getKey()).contains("\"type\":\"invalid_key_headers\"");
        }
        RawHttp.Response twice = RawHttp.send(
                port,
                "POST",
                CHAT,
                Map.of(
                        "Authorization",
                        "Bearer " + CREDENTIAL,
                        "Content-Type",
                        "application/json",
                        "X-Partial-Key-Id",
                        "key_a\r\nX-Partial-Key-Id: key_b"),
                "{}");
        assertThat(twice.status()).isEqualTo(400);
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }

    @Test
    void a_wrong_client_part_and_an_unknown_key_id_take_the_same_floor_of_time_and_get_the_same_answer() {
        byte[] clientPart = SplitKey.newClientPart();
        String keyId = stubTenantKey("t_acme", "openai", "split", "sk-tenant-timing-canary", clientPart, 1, null);
        Map<String, String> right = withCredential(
                Map.of("X-Partial-Key-Id", keyId, "X-Partial-Key", SplitKey.encodeClientPart(clientPart)));
        assertThat(raw("POST", CHAT, right, "{}").status()).isEqualTo(200); // now cached
        Map<String, Map<String, String>> refusals = new LinkedHashMap<>();
        refusals.put(
                "wrong client part (cached key)",
                Map.of(
                        "X-Partial-Key-Id",
                        keyId,
                        "X-Partial-Key",
                        SplitKey.encodeClientPart(SplitKey.newClientPart())));
        refusals.put(
                "unknown key id (asks key-vault)",
                Map.of(
                        "X-Partial-Key-Id",
                        "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16),
                        "X-Partial-Key",
                        SplitKey.encodeClientPart(clientPart)));
        Set<String> bodies = new TreeSet<>();
        for (var refusal : refusals.entrySet()) {
            long started = System.nanoTime();
            RawHttp.Response response = raw("POST", CHAT, withCredential(refusal.getValue()), "{}");
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(response.status()).as(refusal.getKey()).isEqualTo(401);
            // a lower bound only: the floor is a guarantee, not a measurement
            assertThat(elapsedMs).as(refusal.getKey()).isGreaterThanOrEqualTo(60);
            bodies.add(response.body().replaceAll("\"requestId\":\"[^\"]+\"", ""));
        }
        assertThat(bodies).hasSize(1);
    }

    @Test
    void concurrent_wrong_client_parts_are_tried_no_more_than_the_key_allows_then_refused_429_and_reported_once()
            throws Exception {
        String tenant = "t_guess_" + UUID.randomUUID().toString().substring(0, 8);
        String credential = tenantWithPolicy(tenant, null);
        byte[] clientPart = SplitKey.newClientPart();
        String keyId =
                stubTenantKey(tenant, "openai", "split", "sk-guessed-canary-" + UUID.randomUUID(), clientPart, 1, null);
        byte[] otherPart = SplitKey.newClientPart();
        String otherKey = stubTenantKey(tenant, "openai", "split", "sk-other-canary", otherPart, 1, null);
        String wrongPart = SplitKey.encodeClientPart(SplitKey.newClientPart());

        // 30 wrong client parts at once against a limit of 10 per key: exactly 10 are tried
        ch.qos.logback.classic.Logger alertLog = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger("dev.symbolon.edge.keys.SplitKeyAlerts");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        alertLog.addAppender(logged);
        List<RawHttp.Response> answers;
        try {
            answers = concurrently(
                    30, () -> raw("POST", CHAT, split(credential, keyId, wrongPart), "{\"model\":\"gpt-4o\"}"));
        } finally {
            alertLog.detachAppender(logged);
        }
        assertThat(answers).filteredOn(r -> r.status() == 401).hasSize(10);
        // the lockout's log line carries the request id of the refusal that tripped it
        List<String> refusedIds = answers.stream()
                .filter(r -> r.status() == 401)
                .map(r -> r.header("x-request-id"))
                .toList();
        List<ch.qos.logback.classic.spi.ILoggingEvent> lockouts = logged.list.stream()
                .filter(e -> e.getFormattedMessage().startsWith("split-key attempts limited")
                        && e.getFormattedMessage().contains(tenant))
                .toList();
        assertThat(lockouts).hasSize(1);
        assertThat(refusedIds).contains(lockouts.get(0).getMDCPropertyMap().get("requestId"));
        assertThat(lockouts.get(0).getFormattedMessage()).doesNotContain(wrongPart);
        List<RawHttp.Response> limited =
                answers.stream().filter(r -> r.status() == 429).toList();
        assertThat(limited).hasSize(20);
        RawHttp.Response one = limited.get(0);
        assertThat(one.body()).contains("\"type\":\"rate_limited\"").doesNotContain(wrongPart);
        assertThat(one.header("x-symbolon-limit")).isEqualTo("split-key-failures (key)");
        assertThat(Long.parseLong(one.header("retry-after"))).isBetween(1L, 60L);

        // locked: even the right client part is refused without being tried, so 429 says nothing
        RawHttp.Response right =
                raw("POST", CHAT, split(credential, keyId, SplitKey.encodeClientPart(clientPart)), "{}");
        assertThat(right.status()).isEqualTo(429);
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/chat/completions")));
        // the tenant's other key, and another tenant naming this key id, are not locked out
        assertThat(raw("POST", CHAT, split(credential, otherKey, SplitKey.encodeClientPart(otherPart)), "{}")
                        .status())
                .isEqualTo(200);
        assertThat(raw("POST", CHAT, split(CREDENTIAL, keyId, wrongPart), "{}").status())
                .isEqualTo(401);

        List<String> alerts = auditEventsOf(tenant, 1);
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0))
                .contains("\"action\":\"split_key.failures_limited\"")
                .contains("\"target\":\"" + keyId + "\"")
                .contains("\"actor\":\"app_" + tenant + "\"")
                .contains("\"sourceIp\":\"127.0.0.1\"")
                .doesNotContain(wrongPart)
                .doesNotContain(SplitKey.encodeClientPart(clientPart))
                .doesNotContain("sk-guessed-canary");
    }

    @Test
    void guessing_many_key_ids_is_limited_per_tenant() throws Exception {
        String tenant = "t_enum_" + UUID.randomUUID().toString().substring(0, 8);
        String credential = tenantWithPolicy(tenant, null);
        String part = SplitKey.encodeClientPart(SplitKey.newClientPart());

        // 120 unknown key ids at once against a limit of 100 per tenant
        List<RawHttp.Response> answers = concurrently(
                120,
                () -> raw(
                        "POST",
                        CHAT,
                        split(
                                credential,
                                "key_"
                                        + UUID.randomUUID()
                                                .toString()
                                                .replace("-", "")
                                                .substring(0, 16),
                                part),
                        "{}"));
        assertThat(answers).filteredOn(r -> r.status() == 401).hasSize(100);
        assertThat(answers).filteredOn(r -> r.status() == 429).hasSize(20);
        assertThat(answers).filteredOn(r -> r.status() == 429).allMatch(r -> "split-key-failures (tenant)"
                .equals(r.header("x-symbolon-limit")));
        assertThat(auditEventsOf(tenant, 1))
                .singleElement()
                .asString()
                .contains("\"target\":\"" + tenant + "\"")
                .contains("\"limit\":\"split-key-failures (tenant)\"");
    }

    private static Map<String, String> split(String credential, String keyId, String clientPart) {
        return Map.of(
                "Authorization",
                "Bearer " + credential,
                "Content-Type",
                "application/json",
                "X-Partial-Key-Id",
                keyId,
                "X-Partial-Key",
                clientPart);
    }

    private static <T> List<T> concurrently(int count, java.util.concurrent.Callable<T> task) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(count);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<T>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<T> future : futures) {
                results.add(future.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** audit.v1 entries of a tenant, once at least {@code atLeast} arrived and a moment passed without more. */
    private List<String> auditEventsOf(String tenant, int atLeast) {
        java.util.Properties config = new java.util.Properties();
        config.put("bootstrap.servers", kafka.getBrokersAsString());
        config.put("group.id", "audit-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        List<String> found = new java.util.ArrayList<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> consumer =
                new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                        config,
                        new org.apache.kafka.common.serialization.StringDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(dev.symbolon.contracts.Topics.AUDIT));
            int[] quiet = {0};
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> {
                        int before = found.size();
                        for (var record : consumer.poll(java.time.Duration.ofMillis(300))) {
                            if (tenant.equals(record.key())) {
                                found.add(new String(record.value(), java.nio.charset.StandardCharsets.UTF_8));
                            }
                        }
                        quiet[0] = found.size() == before ? quiet[0] + 1 : 0;
                        return found.size() >= atLeast && quiet[0] >= 3;
                    });
        }
        return found;
    }

    @Test
    void only_the_providers_allow_list_of_client_headers_reaches_it_and_billing_headers_only_with_a_tenant_key() {
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("OpenAI-Organization", "org-other");
        hostile.put("OpenAI-Project", "proj-other");
        hostile.put("x-tenant-id", "t_other");
        hostile.put("x-internal-admin", "1");
        hostile.put("x-real-ip", "10.0.0.1");
        hostile.put("true-client-ip", "10.0.0.1");
        hostile.put("via", "1.1 evil");
        hostile.put("x-original-url", "/v1/organization/users");
        hostile.put("x-rewrite-url", "/v1/organization/users");
        hostile.put("x-http-method-override", "DELETE");
        hostile.put("x_api_key", "sk-smuggled");
        hostile.put("authorization_", "Bearer sk-smuggled");
        hostile.put("x-forwarded-for", "10.0.0.1");
        hostile.put("x-forwarded-host", "api.openai.com");
        hostile.put("forwarded", "for=10.0.0.1");
        hostile.put("x-goog-user-project", "other-project");
        hostile.put("openai-beta", "assistants=v2");
        hostile.put("x-stainless-lang", "java");
        hostile.put("x-stainless-retry-count", "0");
        hostile.put("idempotency-key", "idem-1");
        hostile.put("user-agent", "OpenAI/Java 4.0");
        hostile.put("accept", "application/json");
        hostile.put("content-type", "application/json");

        assertThat(raw("POST", CHAT, withCredential(hostile), "{\"model\":\"gpt-4o\"}")
                        .status())
                .isEqualTo(200);
        assertThat(clientHeadersUpstream())
                .containsExactlyInAnyOrder(
                        "openai-beta",
                        "x-stainless-lang",
                        "x-stainless-retry-count",
                        "idempotency-key",
                        "user-agent",
                        "accept",
                        "content-type");

        byte[] clientPart = SplitKey.newClientPart();
        String keyId = stubTenantKey("t_acme", "openai", "split", "sk-tenant-own-key-canary", clientPart, 1, null);
        Map<String, String> split = new LinkedHashMap<>(hostile);
        split.put("X-Partial-Key-Id", keyId);
        split.put("X-Partial-Key", SplitKey.encodeClientPart(clientPart));
        upstream.resetRequests();
        assertThat(raw("POST", CHAT, withCredential(split), "{\"model\":\"gpt-4o\"}")
                        .status())
                .isEqualTo(200);
        assertThat(clientHeadersUpstream()).contains("openai-organization", "openai-project");
    }

    @Test
    void the_model_allow_list_holds_whatever_the_content_type_and_wherever_the_provider_reads_the_model() {
        String governed = tenantWithPolicy("t_models", modelsOnly("gpt-4o-mini", "gemini-2.5-flash"));
        String forbidden = "{\"model\":\"gpt-4o\",\"messages\":[]}";
        for (String type :
                new String[] {"text/plain", null, "application/x-www-form-urlencoded", "application/octet-stream"}) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", "Bearer " + governed);
            if (type != null) {
                headers.put("Content-Type", type);
            }
            RawHttp.Response response = RawHttp.send(port, "POST", CHAT, headers, forbidden);
            assertThat(response.status()).as(String.valueOf(type)).isEqualTo(403);
            assertThat(response.body()).contains("model_not_allowed");
            assertThat(RawHttp.send(port, "POST", CHAT, headers, "\uFEFF  " + forbidden)
                            .status())
                    .as("BOM " + type)
                    .isEqualTo(403);
        }
        Map<String, String> json = Map.of("Authorization", "Bearer " + governed, "Content-Type", "application/json");
        assertThat(RawHttp.send(port, "POST", CHAT, json, "{\"model\":[\"gpt-4o\"]}")
                        .body())
                .contains("invalid_model");
        assertThat(RawHttp.send(port, "POST", CHAT, json, "{\"model\":{\"id\":\"gpt-4o\"}}")
                        .status())
                .isEqualTo(400);
        assertThat(RawHttp.send(port, "POST", CHAT, json, "{\"model\":\"gpt-4o-mini\",\"model\":\"gpt-4o\"}")
                        .body())
                .contains("invalid_json");
        assertThat(RawHttp.send(
                                port,
                                "POST",
                                CHAT,
                                Map.of("Authorization", "Bearer " + governed, "Content-Type", "text/plain"),
                                "{\"model\":\"gpt-4o\"")
                        .status())
                .isEqualTo(400);
        assertThat(RawHttp.send(
                                port,
                                "POST",
                                CHAT,
                                Map.of("Authorization", "Bearer " + governed, "Content-Type", "application/json;;;=x"),
                                "{}")
                        .body())
                .contains("invalid_content_type");
        String boundary = "b0undary";
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt-4o\r\n--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF\r\n--" + boundary
                + "--\r\n";
        assertThat(RawHttp.send(
                                port,
                                "POST",
                                "/openai/v1/audio/transcriptions",
                                Map.of(
                                        "Authorization",
                                        "Bearer " + governed,
                                        "Content-Type",
                                        "multipart/form-data; boundary=" + boundary),
                                form)
                        .body())
                .contains("model_not_allowed");
        assertThat(RawHttp.send(
                                port,
                                "POST",
                                "/gemini/v1beta/models/gemini-2.5-pro:generateContent",
                                Map.of("x-goog-api-key", governed, "Content-Type", "application/json"),
                                "{\"contents\":[]}")
                        .body())
                .contains("model_not_allowed");
        upstream.verify(0, anyRequestedFor(urlPathMatching("/(v1|gemini)/.*")));
        // the allowed model still passes, whatever the content type
        assertThat(RawHttp.send(
                                port,
                                "POST",
                                CHAT,
                                Map.of("Authorization", "Bearer " + governed, "Content-Type", "text/plain"),
                                "{\"model\":\"gpt-4o-mini\"}")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void a_key_the_provider_echoes_in_an_error_never_reaches_the_client_whole_masked_or_in_a_header() {
        String masked = OPENAI_KEY.substring(0, 12) + "*********" + OPENAI_KEY.substring(OPENAI_KEY.length() - 4);
        upstream.stubFor(any(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse()
                        .withStatus(401)
                        .withHeader("Content-Type", "application/json")
                        .withHeader("x-echo", "key=" + OPENAI_KEY)
                        .withBody("{\"error\":{\"message\":\"Incorrect API key provided: " + masked + ". Sent: "
                                + OPENAI_KEY + ". Middle: " + OPENAI_KEY.substring(9, 30) + "\"}}")));
        RawHttp.Response response = raw("POST", CHAT, withCredential(Map.of()), "{\"model\":\"gpt-4o\"}");
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body()).startsWith("{\"error\":{\"message\":\"Incorrect API key provided: ");
        assertNoEcho(response.body() + response.headers(), OPENAI_KEY);

        upstream.stubFor(any(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse()
                        .withStatus(403)
                        .withHeader("Content-Type", "application/json")
                        .withHeader("Content-Encoding", "gzip")
                        .withBody(gzip("{\"error\":\"bad key " + OPENAI_KEY + "\"}"))));
        RawHttp.Response encoded = raw("POST", CHAT, withCredential(Map.of()), "{\"model\":\"gpt-4o\"}");
        assertThat(encoded.status()).isEqualTo(403);
        assertThat(encoded.header("content-encoding")).isNull();
        assertThat(encoded.body()).contains("\"type\":\"upstream_error\"");
        assertNoEcho(encoded.body(), OPENAI_KEY);
    }

    @Test
    void path_spellings_that_would_climb_out_of_an_allowed_endpoint_are_refused_before_any_upstream_call() {
        for (String path : List.of(
                CHAT + "/..;/files",
                CHAT + "/%252e%252e/files",
                CHAT + "/..%3B/files",
                CHAT + "/%c0%ae%c0%ae/files",
                CHAT + "/%2e%2e/files",
                "/openai/v1/chat/c%6Fmpletions",
                "/openai/v1;x/files")) {
            RawHttp.Response response = raw("POST", path, withCredential(Map.of()), "{}");
            assertThat(response.status()).as(path).isEqualTo(400);
            assertThat(response.body()).as(path).contains("\"type\":\"invalid_path\"");
        }
        upstream.verify(0, anyRequestedFor(anyUrl()).withUrl("/v1/files"));
    }

    @Test
    void the_operators_key_reaches_inference_endpoints_only_and_never_account_administration() {
        upstream.stubFor(any(urlPathMatching("/v1/.*")).willReturn(okJson("{\"data\":[]}")));
        for (String call : List.of(
                "GET /openai/v1/files",
                "POST /openai/v1/files",
                "GET /openai/v1/fine_tuning/jobs",
                "POST /openai/v1/batches",
                "GET /openai/v1/organization/users",
                "GET /openai/v1/organization/costs",
                "GET /openai/v1/chat/completions",
                "GET /openai/v1/chat/completions/chatcmpl-other-tenant",
                "GET /openai/v1/responses/resp_other_tenant",
                "POST /openai/v1/vector_stores",
                "GET /anthropic/v1/organizations/users",
                "POST /anthropic/v1/messages/batches",
                "GET /gemini/v1beta/files",
                "GET /gemini/v1beta/cachedContents")) {
            String[] parts = call.split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", "Bearer " + CREDENTIAL);
            headers.put("x-api-key", CREDENTIAL);
            headers.put("x-goog-api-key", CREDENTIAL);
            RawHttp.Response response =
                    RawHttp.send(port, parts[0], parts[1], headers, "POST".equals(parts[0]) ? "{}" : null);
            assertThat(response.status()).as(call).isEqualTo(403);
            assertThat(response.body()).as(call).contains("\"type\":\"endpoint_not_allowed\"");
        }
        upstream.verify(0, anyRequestedFor(urlPathMatching("/(v1|anthropic|gemini)/.*")));
        assertThat(raw("GET", "/openai/v1/models", withCredential(Map.of()), null)
                        .status())
                .isEqualTo(200);

        // The tenant's own split key reaches what its policy allows, files included.
        byte[] clientPart = SplitKey.newClientPart();
        String keyId = stubTenantKey("t_acme", "openai", "split", "sk-tenant-files-canary", clientPart, 1, null);
        assertThat(raw(
                                "GET",
                                "/openai/v1/files",
                                withCredential(Map.of(
                                        "X-Partial-Key-Id",
                                        keyId,
                                        "X-Partial-Key",
                                        SplitKey.encodeClientPart(clientPart))),
                                null)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void the_seed_proxy_route_takes_only_canonical_endpoints_and_the_shared_key_only_to_inference() {
        for (String endpoint : List.of(
                "/chat/completions/..;/files",
                "/chat/completions/%2e%2e/files",
                "/chat/c%6Fmpletions",
                "/chat/completions#fragment",
                "/chat/completions?x=1",
                "/chat completions",
                "/caf\u00e9",
                "chat/completions")) {
            RawHttp.Response response = raw(
                    "POST",
                    "/api/openai/proxy",
                    withCredential(Map.of()),
                    "{\"endpoint\":\"" + endpoint + "\",\"model\":\"gpt-4o\"}");
            assertThat(response.status()).as(endpoint).isEqualTo(400);
            assertThat(response.body()).as(endpoint).contains("\"type\":\"invalid_endpoint\"");
        }
        RawHttp.Response files =
                raw("POST", "/api/openai/proxy", withCredential(Map.of()), "{\"endpoint\":\"/files\"}");
        assertThat(files.status()).isEqualTo(403);
        assertThat(files.body()).contains("\"type\":\"endpoint_not_allowed\"");
        assertThat(raw(
                                "POST",
                                "/api/openai/proxy",
                                withCredential(Map.of()),
                                "{\"endpoint\":\"/chat/completions\",\"model\":\"gpt-4o\"}")
                        .status())
                .isEqualTo(200);
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
        upstream.verify(0, anyRequestedFor(urlPathMatching("/v1/files.*")));
    }

    private RawHttp.Response raw(String method, String path, Map<String, String> headers, String body) {
        return RawHttp.send(port, method, path, headers, body);
    }

    private static Map<String, String> withCredential(Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Authorization", "Bearer " + CREDENTIAL);
        if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("content-type"))) {
            all.put("Content-Type", "application/json");
        }
        all.putAll(headers);
        return all;
    }

    /** The client-controlled headers of the one request the upstream got (the edge's own left out). */
    private Set<String> clientHeadersUpstream() {
        List<LoggedRequest> requests = upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")));
        assertThat(requests).hasSize(1);
        Set<String> names = new TreeSet<>();
        for (HttpHeader header : requests.get(0).getHeaders().all()) {
            names.add(header.key().toLowerCase(Locale.ROOT));
        }
        names.removeAll(Set.of("host", "content-length", "authorization"));
        assertThat(requests.get(0).getHeader("Authorization")).doesNotContain("sk-smuggled");
        return names;
    }

    private static void assertNoEcho(String text, String key) {
        for (int i = 0; i + KeyScrubber.WINDOW <= key.length(); i++) {
            assertThat(text).doesNotContain(key.substring(i, i + KeyScrubber.WINDOW));
        }
    }

    private static byte[] gzip(String text) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
                zip.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
