package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.SplitKey;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.edge.auth.AppDirectory;
import dev.symbolon.edge.auth.AppTokens;
import dev.symbolon.edge.keys.ProviderKeys;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/** The edge's request path end to end: key swap, policy, limits, streams, seed routes, keys. */
class EdgeProxyTest extends EdgeContextTest {

    @Test
    void an_openai_request_gets_the_server_key_instead_of_the_client_credential_and_is_metered() {
        String requestId = client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .header("Cookie", "session=client-cookie")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"gpt-4o-mini\",\"messages\":[]}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .exists("x-symbolon-overhead-ms")
                .expectBody()
                .jsonPath("$.usage.prompt_tokens")
                .isEqualTo(5)
                .returnResult()
                .getResponseHeaders()
                .getFirst("x-request-id");

        upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + OPENAI_KEY))
                .withHeader("Cookie", absent()));
        assertThat(upstream.getAllServeEvents().toString()).doesNotContain(CREDENTIAL);

        UsageRecorded event = awaitUsage(requestId);
        assertThat(event.tenantId()).isEqualTo("t_acme");
        assertThat(event.appId()).isEqualTo("app_1");
        assertThat(event.keyId()).isEqualTo("key_openai");
        assertThat(event.provider()).isEqualTo("openai");
        assertThat(event.model()).isEqualTo("gpt-4o-mini");
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.SUCCESS);
        assertThat(event.inputTokens()).isEqualTo(5);
        assertThat(event.outputTokens()).isEqualTo(2);
    }

    @Test
    void the_anthropic_sdk_credential_header_is_replaced_and_a_version_defaulted() {
        upstream.stubFor(post(urlEqualTo("/anthropic/v1/messages"))
                .willReturn(okJson("{\"type\":\"message\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}")));

        client.post()
                .uri("/anthropic/v1/messages")
                .header("x-api-key", CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[]}")
                .exchange()
                .expectStatus()
                .isOk();

        upstream.verify(postRequestedFor(urlEqualTo("/anthropic/v1/messages"))
                .withHeader("x-api-key", equalTo(ANTHROPIC_KEY))
                .withHeader("anthropic-version", equalTo("2023-06-01"))
                .withHeader("Authorization", absent()));
    }

    @Test
    void a_gemini_key_query_parameter_is_stripped_and_the_key_sent_as_a_header() {
        upstream.stubFor(post(urlPathEqualTo("/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent"))
                .willReturn(okJson("{\"usageMetadata\":{\"promptTokenCount\":1,\"candidatesTokenCount\":1}}")));

        client.post()
                .uri("/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=" + CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"contents\":[]}")
                .exchange()
                .expectStatus()
                .isOk();

        upstream.verify(
                postRequestedFor(urlEqualTo("/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"))
                        .withHeader("x-goog-api-key", equalTo(GEMINI_KEY)));
    }

    @Test
    void the_gemini_sdks_v1_paths_reach_googles_v1_api_with_the_key_as_a_header_and_are_metered() {
        upstream.stubFor(post(urlPathEqualTo("/gemini/v1/models/gemini-2.0-flash:streamGenerateContent"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]}}],"
                                + "\"usageMetadata\":{\"promptTokenCount\":6,\"candidatesTokenCount\":2}}\n\n")));

        WebTestClient.ResponseSpec response = client.post()
                .uri("/gemini/v1/models/gemini-2.0-flash:streamGenerateContent?alt=sse")
                .header("x-goog-api-key", CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}")
                .exchange()
                .expectStatus()
                .isOk();

        upstream.verify(postRequestedFor(urlEqualTo("/gemini/v1/models/gemini-2.0-flash:streamGenerateContent?alt=sse"))
                .withHeader("x-goog-api-key", equalTo(GEMINI_KEY)));
        UsageRecorded event = awaitUsage(
                response.returnResult(String.class).getResponseHeaders().getFirst("x-request-id"));
        assertThat(event.provider()).isEqualTo("gemini");
        assertThat(event.model()).isEqualTo("gemini-2.0-flash");
        assertThat(event.inputTokens()).isEqualTo(6);
        assertThat(event.outputTokens()).isEqualTo(2);
    }

    @Test
    void the_query_goes_upstream_as_the_client_encoded_it_without_the_key_however_its_name_is_spelled() {
        upstream.stubFor(post(urlPathEqualTo("/gemini/v1beta/models/gemini-2.0-flash:generateContent"))
                .willReturn(okJson("{\"usageMetadata\":{\"promptTokenCount\":1,\"candidatesTokenCount\":1}}")));

        client.post()
                .uri(URI.create("http://localhost:" + port
                        + "/gemini/v1beta/models/gemini-2.0-flash:generateContent"
                        + "?alt=json&pageToken=a%20b%2Bc%26d&%6Bey=" + CREDENTIAL + "&empty"))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"contents\":[]}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body).contains("usageMetadata"));

        upstream.verify(postRequestedFor(
                        urlEqualTo(
                                "/gemini/v1beta/models/gemini-2.0-flash:generateContent?alt=json&pageToken=a%20b%2Bc%26d&empty"))
                .withHeader("x-goog-api-key", equalTo(GEMINI_KEY)));
    }

    @Test
    void upstream_errors_pass_through_with_their_status_and_rate_limit_headers() {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Content-Type", "application/json")
                        .withHeader("retry-after", "7")
                        .withHeader("x-ratelimit-remaining-requests", "0")
                        .withBody("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}")));

        String requestId = client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"gpt-4o\"}")
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("retry-after", "7")
                .expectHeader()
                .valueEquals("x-ratelimit-remaining-requests", "0")
                .expectBody()
                .jsonPath("$.error.message")
                .isEqualTo("Rate limit reached")
                .returnResult()
                .getResponseHeaders()
                .getFirst("x-request-id");

        assertThat(awaitUsage(requestId).outcome()).isEqualTo(UsageRecorded.Outcome.UPSTREAM_ERROR);
    }

    @Test
    void the_key_is_fetched_once_and_then_served_from_memory() {
        for (int i = 0; i < 3; i++) {
            client.post()
                    .uri("/openai/v1/chat/completions")
                    .header("Authorization", "Bearer " + CREDENTIAL)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{}")
                    .exchange()
                    .expectStatus()
                    .isOk();
        }

        // The cache may already hold the key from an earlier test: at most one fetch here.
        assertThat(upstream.findAll(getRequestedFor(urlPathEqualTo("/internal/v1/server-keys/openai"))))
                .hasSizeLessThanOrEqualTo(1);
        upstream.verify(3, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }

    @Test
    void refusals_are_json_with_the_right_status_and_never_reach_the_upstream() {
        expectError("/openai/v1/chat/completions", "Bearer sym_live_nope", "{}", 401, "invalid_credential");
        expectError("/openai/v1/chat/completions", null, "{}", 401, "invalid_credential");
        expectError("/nowhere/v1/chat", "Bearer " + CREDENTIAL, "{}", 404, "unknown_route");
        expectError("/openai/v1/%2e%2e/admin", "Bearer " + CREDENTIAL, "{}", 400, "invalid_path");
        expectError("/openai/v1/chat/completions", "Bearer " + CREDENTIAL, "{not json", 400, "invalid_json");
        expectError(
                "/openai/v1/chat/completions",
                "Bearer " + CREDENTIAL,
                "{\"pad\":\"" + "x".repeat(70_000) + "\"}",
                413,
                "body_too_large");
        expectError("/mistral/v1/chat/completions", "Bearer " + CREDENTIAL, "{}", 403, "provider_not_configured");

        upstream.verify(0, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
    }

    @Test
    void an_unreachable_upstream_is_a_502_json_error() {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(
                        aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));

        expectError("/openai/v1/chat/completions", "Bearer " + CREDENTIAL, "{}", 502, "upstream_unreachable");
    }

    @Test
    void a_rotated_server_key_leaves_every_edge_cache_when_key_lifecycle_says_so() {
        String rotated = "sk-openai-rotated-" + UUID.randomUUID();
        assertThat(upstreamKeyOfNextRequest()).isEqualTo(OPENAI_KEY);
        stubKey("openai", rotated);
        assertThat(upstreamKeyOfNextRequest()).as("still cached").isEqualTo(OPENAI_KEY);

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            announceRotation("openai");
            return upstreamKeyOfNextRequest().equals(rotated);
        });

        stubKey("openai", OPENAI_KEY);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            announceRotation("openai");
            return upstreamKeyOfNextRequest().equals(OPENAI_KEY);
        });
    }

    @Test
    void the_tenant_and_app_policy_decide_what_reaches_the_upstream() {
        String governed = "sym_live_governed_" + UUID.randomUUID();
        String fromElsewhere = "sym_live_elsewhere_" + UUID.randomUUID();
        TenantConfigSnapshot.Policy tenantPolicy = TenantConfigSnapshot.Policy.builder()
                .allowedProviders(List.of("openai"))
                .allowedModels(List.of("gpt-4o*"))
                .allowedEndpoints(List.of("/chat/completions"))
                .maxBodyBytes(2_000L)
                .build();
        TenantConfigSnapshot.Policy appPolicy = modelsOnly("gpt-4o-mini");
        producer.send(
                Topics.TENANT_CONFIG,
                "t_governed",
                EventJson.encode(tenant(
                        "t_governed",
                        tenantPolicy,
                        new TenantConfigSnapshot.IpRules(List.of(), List.of("192.0.2.0/24")),
                        new TenantConfigSnapshot.App(
                                "app_g",
                                "g",
                                TenantConfigSnapshot.Status.ACTIVE,
                                appPolicy,
                                List.of(credential("cred_g", governed))))));
        producer.send(
                Topics.TENANT_CONFIG,
                "t_elsewhere",
                EventJson.encode(tenant(
                        "t_elsewhere",
                        null,
                        new TenantConfigSnapshot.IpRules(List.of("198.51.100.0/24"), List.of()),
                        new TenantConfigSnapshot.App(
                                "app_e",
                                "e",
                                TenantConfigSnapshot.Status.ACTIVE,
                                null,
                                List.of(credential("cred_e", fromElsewhere))))));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.authenticate(governed) instanceof AppDirectory.Accepted
                        && directory.authenticate(fromElsewhere) instanceof AppDirectory.Accepted);

        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + governed)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"gpt-4o-mini\"}")
                .exchange()
                .expectStatus()
                .isOk();
        expectError(
                "/openai/v1/chat/completions",
                "Bearer " + governed,
                "{\"model\":\"gpt-4o\"}",
                403,
                "model_not_allowed");
        expectError(
                "/openai/v1/chat/completions-x",
                "Bearer " + governed,
                "{\"model\":\"gpt-4o-mini\"}",
                403,
                "endpoint_not_allowed");
        expectError("/openai/v1/embeddings", "Bearer " + governed, "{}", 403, "endpoint_not_allowed");
        expectError("/anthropic/v1/messages", "Bearer " + governed, "{}", 403, "provider_not_allowed");
        expectError(
                "/openai/v1/chat/completions",
                "Bearer " + governed,
                "{\"model\":\"gpt-4o-mini\",\"pad\":\"" + "x".repeat(3_000) + "\"}",
                413,
                "body_too_large");
        // The allow list of t_elsewhere does not contain this test's loopback address; a forged
        // X-Forwarded-For changes nothing, since no proxy is trusted.
        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + fromElsewhere)
                .header("X-Forwarded-For", "198.51.100.7")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("ip_not_allowed");
        upstream.verify(1, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
    }

    @Test
    void fifty_concurrent_requests_against_a_limit_of_ten_let_exactly_ten_through() {
        String limited = "sym_live_limited_" + UUID.randomUUID();
        TenantConfigSnapshot.Policy tenMinute =
                TenantConfigSnapshot.Policy.builder().requestsPerMinute(10L).build();
        producer.send(
                Topics.TENANT_CONFIG,
                "t_limited",
                EventJson.encode(tenant(
                        "t_limited",
                        null,
                        new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                        new TenantConfigSnapshot.App(
                                "app_l",
                                "l",
                                TenantConfigSnapshot.Status.ACTIVE,
                                tenMinute,
                                List.of(credential("cred_l", limited))))));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.authenticate(limited) instanceof AppDirectory.Accepted);

        List<Integer> statuses = concurrently(50, limited);
        assertThat(statuses).filteredOn(status -> status == 200).hasSize(10);
        assertThat(statuses).filteredOn(status -> status == 429).hasSize(40);
        upstream.verify(10, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + limited)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("x-symbolon-limit", "requests-per-minute (app)")
                .expectHeader()
                .exists("retry-after")
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("rate_limited");
    }

    @Test
    void fifty_concurrent_requests_against_a_daily_quota_of_ten_let_exactly_ten_reach_the_upstream() {
        // Slow upstream: the first requests are still in flight while the rest arrive.
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(okJson("{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}")
                        .withFixedDelay(300)));
        String key = tenantWithPolicy(
                "t_quota",
                TenantConfigSnapshot.Policy.builder().requestsPerDay(10L).build());

        List<Integer> statuses = concurrently(50, key);

        assertThat(statuses).filteredOn(status -> status == 200).hasSize(10);
        assertThat(statuses).filteredOn(status -> status == 429).hasSize(40);
        upstream.verify(10, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
        String retryAfter = client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("x-symbolon-limit", "requests-per-day (tenant)")
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("quota_exceeded")
                .returnResult()
                .getResponseHeaders()
                .getFirst("retry-after");
        assertThat(Long.parseLong(retryAfter)).isBetween(1L, 86_401L);
    }

    @Test
    void a_cost_quota_analytics_reports_spent_closes_the_tenant_until_a_new_state_reopens_it() {
        String key = tenantWithPolicy(
                "t_spent",
                TenantConfigSnapshot.Policy.builder()
                        .costPerDayUsd(new BigDecimal("5.00"))
                        .build());
        assertThat(send(key)).isEqualTo(200);

        producer.send(Topics.QUOTA_STATE, "t_spent", EventJson.encode(spentToday("t_spent", "5.000001", 1L)));
        await().atMost(Duration.ofSeconds(5)).until(() -> send(key) == 429);
        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectHeader()
                .valueEquals("x-symbolon-limit", "cost-per-day (tenant)");

        // e.g. a refund or a corrected price: the next state is below the limit again.
        producer.send(Topics.QUOTA_STATE, "t_spent", EventJson.encode(spentToday("t_spent", "4.99", 2L)));
        await().atMost(Duration.ofSeconds(5)).until(() -> send(key) == 200);
    }

    /** Statuses of n identical chat requests sent all at once with the given credential. */
    private List<Integer> concurrently(int n, String key) {
        return Flux.range(0, n)
                .flatMap(i -> Mono.fromCallable(() -> send(key)).subscribeOn(Schedulers.boundedElastic()), n)
                .collectList()
                .block(Duration.ofSeconds(60));
    }

    /**
     * The status of one chat request with the given credential. The body is read to the end: a response
     * left unread keeps its pooled connection, and enough of those starve the test client's pool.
     */
    private int send(String key) {
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

    private static QuotaState spentToday(String tenantId, String usd, long usageOffset) {
        Instant dayStart =
                LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant monthStart = LocalDate.now(ZoneOffset.UTC)
                .withDayOfMonth(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        return new QuotaState(
                UUID.randomUUID(),
                Instant.now(),
                tenantId,
                QuotaState.CURRENT_VERSION,
                null,
                new QuotaState.PeriodUsage(dayStart, dayStart.plusSeconds(86_400), 3, 30, new BigDecimal(usd)),
                new QuotaState.PeriodUsage(monthStart, null, 3, 30, new BigDecimal(usd)),
                false,
                null,
                null,
                0,
                usageOffset);
    }

    @Test
    void binary_bodies_pass_through_untouched_both_ways_for_every_provider_family() {
        byte[] audio = new byte[256 * 1024];
        new java.util.Random(42).nextBytes(audio);
        byte[] upload = new byte[48 * 1024]; // under the test max-body-size of 64 KB
        new java.util.Random(7).nextBytes(upload);
        record Case(String edgePath, String upstreamPath, String header, String credentialPrefix) {}
        List<Case> cases = List.of(
                new Case("/openai/v1/audio/speech", "/v1/audio/speech", "Authorization", "Bearer "),
                new Case("/anthropic/v1/files", "/anthropic/v1/files", "x-api-key", ""),
                new Case("/gemini/v1beta/files:upload", "/gemini/v1beta/files:upload", "x-goog-api-key", ""));
        for (Case c : cases) {
            upstream.stubFor(post(urlEqualTo(c.upstreamPath()))
                    .withRequestBody(binaryEqualTo(upload))
                    .willReturn(aResponse()
                            .withStatus(200)
                            .withHeader("Content-Type", "audio/mpeg")
                            .withBody(audio)));

            byte[] received = client.post()
                    .uri(c.edgePath())
                    .header(c.header(), c.credentialPrefix() + CREDENTIAL)
                    .contentType(MediaType.APPLICATION_OCTET_STREAM)
                    .bodyValue(upload)
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectHeader()
                    .contentType("audio/mpeg")
                    .expectBody(byte[].class)
                    .returnResult()
                    .getResponseBody();

            assertThat(received).as(c.edgePath()).isEqualTo(audio);
            upstream.verify(postRequestedFor(urlEqualTo(c.upstreamPath())).withRequestBody(binaryEqualTo(upload)));
        }
    }

    @Test
    void hop_by_hop_headers_from_a_raw_client_never_reach_the_upstream() throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\"}";
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            String request = "POST /openai/v1/chat/completions HTTP/1.1\r\n"
                    + "Host: localhost\r\n"
                    + "Authorization: Bearer " + CREDENTIAL + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n"
                    + "Connection: close, X-Hop-Secret\r\n"
                    + "X-Hop-Secret: for-the-next-hop-only\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\n"
                    + "Proxy-Authorization: Basic c2VjcmV0\r\n"
                    + "OpenAI-Beta: assistants=v2\r\n"
                    + "\r\n"
                    + body;
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200");
        }

        var seen = upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))
                .get(0)
                .getHeaders();
        assertThat(seen.getHeader("OpenAI-Beta").firstValue()).isEqualTo("assistants=v2");
        assertThat(seen.keys())
                .noneMatch(name -> name.equalsIgnoreCase("X-Hop-Secret")
                        || name.equalsIgnoreCase("Keep-Alive")
                        || name.equalsIgnoreCase("TE")
                        || name.equalsIgnoreCase("Proxy-Authorization"));
        assertThat(seen.getHeader("Authorization").firstValue()).isEqualTo("Bearer " + OPENAI_KEY);
    }

    static final String OPENAI_STREAM =
            """
            data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}

            data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo"}}]}

            data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}

            data: [DONE]

            """;

    @Test
    void an_openai_stream_is_metered_by_asking_for_usage_and_the_client_sees_only_what_it_asked_for() {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true")))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(OPENAI_STREAM)));

        WebTestClient.ResponseSpec response =
                stream("/openai/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"stream\":true}");
        String body = response.expectBody(String.class).returnResult().getResponseBody();

        assertThat(body)
                .contains("\"Hel\"")
                .contains("\"lo\"")
                .contains("[DONE]")
                .doesNotContain("prompt_tokens");
        UsageRecorded event = awaitUsage(
                response.returnResult(String.class).getResponseHeaders().getFirst("x-request-id"));
        assertThat(event.streamed()).isTrue();
        assertThat(event.partial()).isFalse();
        assertThat(event.inputTokens()).isEqualTo(9);
        assertThat(event.outputTokens()).isEqualTo(2);
    }

    @Test
    void a_client_that_asks_for_stream_usage_gets_the_usage_chunk() {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(OPENAI_STREAM)));

        String body = stream(
                        "/openai/v1/chat/completions",
                        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        assertThat(body).contains("\"prompt_tokens\":9");
        upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(equalToJson(
                        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")));
    }

    @Test
    void anthropic_stream_usage_comes_from_message_start_and_message_delta() {
        upstream.stubFor(
                post(urlEqualTo("/anthropic/v1/messages"))
                        .willReturn(
                                aResponse()
                                        .withHeader("Content-Type", "text/event-stream")
                                        .withBody(
                                                """
                        event: message_start
                        data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":25,"cache_read_input_tokens":5,"output_tokens":1}}}

                        event: content_block_delta
                        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

                        event: message_delta
                        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":12}}

                        event: message_stop
                        data: {"type":"message_stop"}

                        """)));

        WebTestClient.ResponseSpec response = client.post()
                .uri("/anthropic/v1/messages")
                .header("x-api-key", CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"claude-sonnet-4-5\",\"stream\":true}")
                .exchange();
        String body = response.expectBody(String.class).returnResult().getResponseBody();

        assertThat(body).contains("message_stop");
        UsageRecorded event = awaitUsage(
                response.returnResult(String.class).getResponseHeaders().getFirst("x-request-id"));
        assertThat(event.inputTokens()).isEqualTo(30);
        assertThat(event.cachedInputTokens()).isEqualTo(5);
        assertThat(event.outputTokens()).isEqualTo(12);
    }

    @Test
    void gemini_stream_usage_comes_from_the_last_usage_metadata() {
        upstream.stubFor(
                post(urlPathEqualTo("/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent"))
                        .willReturn(
                                aResponse()
                                        .withHeader("Content-Type", "text/event-stream")
                                        .withBody(
                                                """
                        data: {"candidates":[{"content":{"parts":[{"text":"a"}]}}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":1}}

                        data: {"candidates":[{"content":{"parts":[{"text":"b"}]}}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":5}}

                        """)));

        WebTestClient.ResponseSpec response = client.post()
                .uri("/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse")
                .header("x-goog-api-key", CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"contents\":[]}")
                .exchange();
        response.expectBody(String.class).returnResult();

        UsageRecorded event = awaitUsage(
                response.returnResult(String.class).getResponseHeaders().getFirst("x-request-id"));
        assertThat(event.inputTokens()).isEqualTo(8);
        assertThat(event.outputTokens()).isEqualTo(5);
    }

    @Test
    void an_openai_responses_stream_is_metered_from_response_completed_and_sent_as_the_client_wrote_it() {
        upstream.stubFor(
                post(urlEqualTo("/v1/responses"))
                        .willReturn(
                                aResponse()
                                        .withHeader("Content-Type", "text/event-stream")
                                        .withBody(
                                                """
                                event: response.created
                                data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","usage":null}}

                                event: response.output_text.delta
                                data: {"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}

                                event: response.completed
                                data: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","status":"completed","usage":{"input_tokens":21,"input_tokens_details":{"cached_tokens":5},"output_tokens":7,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":28}}}

                                """)));
        String request = "{\"model\":\"gpt-4.1-mini\",\"input\":\"hi\",\"stream\":true}";
        WebTestClient.ResponseSpec response = stream("/openai/v1/responses", request);
        String body = response.expectBody(String.class).returnResult().getResponseBody();

        assertThat(body).contains("response.completed").contains("\"input_tokens\":21");
        LoggedRequest sent =
                upstream.findAll(postRequestedFor(urlEqualTo("/v1/responses"))).get(0);
        assertThat(sent.getBodyAsString())
                .as("the Responses API refuses stream_options.include_usage")
                .isEqualTo(request);
        UsageRecorded event = awaitUsage(
                response.returnResult(String.class).getResponseHeaders().getFirst("x-request-id"));
        assertThat(event.inputTokens()).isEqualTo(21);
        assertThat(event.outputTokens()).isEqualTo(7);
        assertThat(event.cachedInputTokens()).isEqualTo(5);
        assertThat(event.partial()).isFalse();
    }

    @Test
    void a_stream_the_upstream_cuts_ends_with_an_error_event_not_a_clean_end() {
        stubKey("compat:cut", "sk-cut");
        WebTestClient.ResponseSpec response =
                stream("/compat/cut/v1/chat/completions", "{\"model\":\"m\",\"stream\":true}");
        String body = response.expectBody(String.class).returnResult().getResponseBody();

        assertThat(body)
                .contains("\"a\"")
                .contains("\"b\"")
                .contains("event: error")
                .contains("upstream_interrupted");
        UsageRecorded event = awaitUsage(
                response.returnResult(String.class).getResponseHeaders().getFirst("x-request-id"));
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.UPSTREAM_UNAVAILABLE);
        assertThat(event.partial()).isTrue();
    }

    @Test
    void a_client_that_goes_away_cancels_the_upstream_stream_and_is_metered_as_cancelled() {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(OPENAI_STREAM)
                        .withChunkedDribbleDelay(20, 10_000)));

        String requestId = WebClient.create("http://localhost:" + port)
                .post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"gpt-4o-mini\",\"stream\":true}")
                .exchangeToMono(response -> response.bodyToFlux(DataBuffer.class)
                        .take(1)
                        .doOnNext(DataBufferUtils::release)
                        .then(Mono.just(
                                response.headers().header("x-request-id").get(0))))
                .block(Duration.ofSeconds(10));

        long cancelledAt = System.nanoTime();
        UsageRecorded event = awaitUsage(requestId);
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.CANCELLED);
        assertThat(event.partial()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt))
                .as("recorded when the client left, not when the 10 s upstream stream would have ended")
                .isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void a_client_that_leaves_before_the_provider_answers_is_still_metered_once() {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(okJson("{\"choices\":[]}").withFixedDelay(5_000)));
        String key = tenantWithPolicy("t_leaver", null);

        String requestId = WebClient.create("http://localhost:" + port)
                .post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"gpt-4o-mini\"}")
                .retrieve()
                .toBodilessEntity()
                .timeout(Duration.ofMillis(500), Mono.empty())
                .then(Mono.just("left"))
                .block(Duration.ofSeconds(10));
        assertThat(requestId).isEqualTo("left");

        UsageRecorded event = awaitUsageWhere(e -> "t_leaver".equals(e.tenantId()));
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.CANCELLED);
        assertThat(event.status()).isEqualTo(499);
        assertThat(event.partial()).isTrue();
    }

    @Test
    void seed_clients_reach_the_same_pipeline_through_the_proxy_route() {
        client.post()
                .uri("/api/openai/proxy")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"endpoint\":\"/chat/completions\",\"model\":\"gpt-4o-mini\",\"messages\":[]}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .exists("x-request-id");

        upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + OPENAI_KEY))
                .withRequestBody(equalToJson("{\"model\":\"gpt-4o-mini\",\"messages\":[]}")));
        expectError(
                "/api/openai/proxy", "Bearer " + CREDENTIAL, "{\"endpoint\":\"/../admin\"}", 400, "invalid_endpoint");
        expectError("/api/openai/proxy", "Bearer " + CREDENTIAL, "{\"model\":\"x\"}", 400, "invalid_endpoint");
        expectError("/api/nope/proxy", "Bearer " + CREDENTIAL, "{\"endpoint\":\"/x\"}", 404, "unknown_route");
        expectError(
                "/api/openai/proxy",
                "Bearer sym_live_wrong",
                "{\"endpoint\":\"/chat/completions\"}",
                401,
                "invalid_credential");
    }

    @Test
    void seed_clients_can_list_the_endpoints_their_policy_allows() {
        client.get()
                .uri("/api/openai/endpoints")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.provider")
                .isEqualTo("openai")
                .jsonPath("$.endpoints[0]")
                .isEqualTo("/chat/completions")
                .jsonPath("$.endpoints[2]")
                .isEqualTo("/embeddings");
        client.get().uri("/api/openai/endpoints").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void a_revoked_token_is_refused_here_at_once_and_everywhere_once_the_snapshot_carries_it() {
        upstream.stubFor(post(urlEqualTo("/internal/v1/app-token-revocations"))
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN))
                .willReturn(okJson("{\"revoked\":true}")));
        String key = tenantWithPolicy("t_revoke", null);
        String first = appToken(key);
        String second = appToken(key);
        assertThat(send(first)).isEqualTo(200);

        // The token revokes itself (RFC 7009 style, form body).
        client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + first)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("token=" + first)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.revoked")
                .isEqualTo(true);

        assertThat(send(first)).isEqualTo(401);
        assertThat(send(second)).as("only the one token is revoked").isEqualTo(200);
        AppTokens.Claims claims = tokens.verify(first).orElseThrow();
        upstream.verify(postRequestedFor(urlEqualTo("/internal/v1/app-token-revocations"))
                .withRequestBody(matchingJsonPath("$.tokenId", equalTo(claims.tokenId())))
                .withRequestBody(matchingJsonPath("$.tenantId", equalTo("t_revoke")))
                .withRequestBody(matchingJsonPath("$.appId", equalTo("app_t_revoke"))));
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/internal/v1/app-token-revocations")))
                        .toString())
                .as("the token itself never leaves the edge")
                .doesNotContain(first);

        // Another edge hears it through tenant-config.v1: the snapshot admin-api then publishes.
        AppTokens.Claims other = tokens.verify(second).orElseThrow();
        TenantConfigSnapshot withRevocation = new TenantConfigSnapshot(
                UUID.randomUUID(),
                Instant.now(),
                "t_revoke",
                1,
                2,
                TenantConfigSnapshot.Status.ACTIVE,
                "UTC",
                null,
                new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                List.of(new TenantConfigSnapshot.App(
                        "app_t_revoke",
                        "t_revoke",
                        TenantConfigSnapshot.Status.ACTIVE,
                        null,
                        List.of(credential("cred_t_revoke", key)))),
                List.of(),
                List.of(new TenantConfigSnapshot.RevokedToken(other.tokenId(), "app_t_revoke", other.expiresAt())));
        producer.send(Topics.TENANT_CONFIG, "t_revoke", EventJson.encode(withRevocation));
        await().atMost(Duration.ofSeconds(10)).until(() -> send(second) == 401);
        assertThat(send(key)).as("the app key itself still works").isEqualTo(200);
    }

    @Test
    void revoking_needs_the_app_and_fails_loudly_when_it_cannot_be_recorded() {
        String key = tenantWithPolicy("t_revoke2", null);
        String token = appToken(key);
        String strangersKey = tenantWithPolicy("t_stranger", null);

        client.post()
                .uri("/auth/revoke")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"" + token + "\"}")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + strangersKey)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"" + token + "\"}")
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("token_not_yours");
        client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"not.a.token\"}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.revoked")
                .isEqualTo(false);

        client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"" + "x".repeat(70_000) + "\"}")
                .exchange()
                .expectStatus()
                .isEqualTo(413)
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("body_too_large");

        // admin-api answers 503: the client is told, and the token is not half-revoked here.
        upstream.stubFor(post(urlEqualTo("/internal/v1/app-token-revocations"))
                .willReturn(aResponse().withStatus(503)));
        String body = client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"" + token + "\"}")
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(body)
                .contains("revocation_unavailable")
                .doesNotContain(token)
                .doesNotContain(SERVICE_TOKEN);
        assertThat(send(token)).isEqualTo(200);
    }

    private String appToken(String key) {
        return JsonMapper.builder()
                .build()
                .readTree(client.post()
                        .uri("/auth/token")
                        .header("Authorization", "Bearer " + key)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .returnResult()
                        .getResponseBodyContent())
                .path("access_token")
                .asString();
    }

    @Test
    void an_app_key_buys_a_short_lived_token_that_works_until_its_key_is_revoked() {
        String key = "sym_live_tokens_" + UUID.randomUUID();
        TenantConfigSnapshot.App app = new TenantConfigSnapshot.App(
                "app_t", "t", TenantConfigSnapshot.Status.ACTIVE, null, List.of(credential("cred_t", key)));
        producer.send(
                Topics.TENANT_CONFIG,
                "t_tok",
                EventJson.encode(tenant("t_tok", null, new TenantConfigSnapshot.IpRules(List.of(), List.of()), app)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.authenticate(key) instanceof AppDirectory.Accepted);

        String token = JsonMapper.builder()
                .build()
                .readTree(client.post()
                        .uri("/auth/token")
                        .header("Authorization", "Bearer " + key)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectHeader()
                        .valueEquals("Cache-Control", "no-store")
                        .expectBody()
                        .returnResult()
                        .getResponseBodyContent())
                .path("access_token")
                .asString();

        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isOk();
        upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + OPENAI_KEY)));
        assertThat(upstream.getAllServeEvents().toString()).doesNotContain(token);
        expectError(
                "/openai/v1/chat/completions",
                "Bearer " + token.substring(0, token.length() - 3) + "abc",
                "{}",
                401,
                "invalid_credential");
        client.post()
                .uri("/auth/token")
                .header("Authorization", "Bearer " + token)
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.post()
                .uri("/auth/token")
                .header("Authorization", "Bearer sym_live_nope")
                .exchange()
                .expectStatus()
                .isUnauthorized();

        TenantConfigSnapshot revoked = new TenantConfigSnapshot(
                UUID.randomUUID(),
                Instant.now(),
                "t_tok",
                1,
                2,
                TenantConfigSnapshot.Status.ACTIVE,
                "UTC",
                null,
                new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                List.of(new TenantConfigSnapshot.App(
                        "app_t", "t", TenantConfigSnapshot.Status.ACTIVE, null, List.of())),
                List.of(),
                List.of());
        producer.send(Topics.TENANT_CONFIG, "t_tok", EventJson.encode(revoked));
        await().atMost(Duration.ofSeconds(20)).until(() -> send(token) == 401);
    }

    private WebTestClient.ResponseSpec stream(String path, String body) {
        return client.post()
                .uri(path)
                .header("Authorization", "Bearer " + CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }

    @Test
    void a_split_key_is_opened_with_the_client_part_and_the_upstream_gets_exactly_the_tenants_key() {
        String tenantKey = "sk-tenant-split-canary-" + UUID.randomUUID();
        byte[] clientPart = SplitKey.newClientPart();
        String keyId = stubTenantKey("t_acme", "openai", "split", tenantKey, clientPart, 1, null);
        String header = SplitKey.encodeClientPart(clientPart);

        String requestId = splitRequest(keyId, header)
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseHeaders()
                .getFirst("x-request-id");

        LoggedRequest sent = upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))
                .get(0);
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + tenantKey);
        assertThat(sent.getAllHeaderKeys())
                .as("neither part of the split key travels upstream")
                .noneMatch(h -> h.toLowerCase().startsWith("x-partial-key"));
        assertThat(sent.toString()).doesNotContain(header);
        UsageRecorded event = awaitUsage(requestId);
        assertThat(event.keyId()).isEqualTo(keyId);
        assertThat(event.keyKind()).isEqualTo("split");
        assertThat(EventJson.encode(event))
                .asString(StandardCharsets.UTF_8)
                .doesNotContain(tenantKey)
                .doesNotContain(header);
    }

    @Test
    void a_wrong_client_part_an_unknown_id_and_another_tenants_key_get_the_same_401() {
        byte[] clientPart = SplitKey.newClientPart();
        String mine = stubTenantKey("t_acme", "openai", "split", "sk-mine-canary", clientPart, 1, null);
        String theirs = stubTenantKey("t_other", "openai", "split", "sk-theirs-canary", clientPart, 1, null);
        String anthropics = stubTenantKey("t_acme", "anthropic", "split", "sk-ant-canary", clientPart, 1, null);
        upstream.stubFor(get(urlPathMatching("/internal/v1/keys/key_unknown.*"))
                .willReturn(aResponse().withStatus(404)));
        String good = SplitKey.encodeClientPart(clientPart);

        List<String> bodies = new ArrayList<>();
        for (String[] attempt : new String[][] {
            {mine, SplitKey.encodeClientPart(SplitKey.newClientPart())},
            {"key_unknown" + UUID.randomUUID().toString().substring(0, 8), good},
            {theirs, good},
            {mine, "not-a-client-part"},
            {mine, null},
        }) {
            WebTestClient.RequestBodySpec request = client.post()
                    .uri("/openai/v1/chat/completions")
                    .header("Authorization", "Bearer " + CREDENTIAL)
                    .header(ProviderKeys.PARTIAL_KEY_ID, attempt[0])
                    .contentType(MediaType.APPLICATION_JSON);
            if (attempt[1] != null) {
                request.header(ProviderKeys.PARTIAL_KEY, attempt[1]);
            }
            bodies.add(request.bodyValue("{}")
                    .exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody()
                    .replaceAll("req_[0-9a-f]+", "req_"));
        }
        assertThat(bodies).as("one answer for every way of being wrong").containsOnly(bodies.get(0));
        assertThat(bodies.get(0)).contains("invalid_partial_key").doesNotContain("canary");

        // Its own key on another provider's route: 403.
        expectSplit(anthropics, good, 403, "key_provider_mismatch");
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }

    @Test
    void after_a_rotation_the_old_client_part_works_until_the_grace_ends() {
        byte[] oldPart = SplitKey.newClientPart();
        byte[] newPart = SplitKey.newClientPart();
        String keyId = "key_rot" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        byte[] v1 = SplitKey.seal(
                oldPart, "sk-v1".getBytes(StandardCharsets.UTF_8), SplitKey.aad("t_acme", keyId, 1, "openai"));
        byte[] v2 = SplitKey.seal(
                newPart, "sk-v2".getBytes(StandardCharsets.UTF_8), SplitKey.aad("t_acme", keyId, 2, "openai"));
        stubTenantKeyJson(
                keyId,
                "t_acme",
                "openai",
                "split",
                2,
                null,
                List.of(version(2, v2, null), version(1, v1, Instant.now().plus(Duration.ofHours(1)))));

        expectSplit(keyId, SplitKey.encodeClientPart(newPart), 200, null);
        expectSplit(keyId, SplitKey.encodeClientPart(oldPart), 200, null);
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .extracting(r -> r.getHeader("Authorization"))
                .containsExactly("Bearer sk-v2", "Bearer sk-v1");

        // The grace has ended (as key-vault-service now serves it): the old part stops, the new one works.
        stubTenantKeyJson(
                keyId,
                "t_acme",
                "openai",
                "split",
                2,
                null,
                List.of(version(2, v2, null), version(1, v1, Instant.now().minusSeconds(1))));
        announce(keyId, "t_acme", "openai", KeyLifecycleEvent.KeyKind.SPLIT, KeyLifecycleEvent.Action.ROTATED);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> splitStatus(keyId, SplitKey.encodeClientPart(oldPart)) == 401);
        expectSplit(keyId, SplitKey.encodeClientPart(newPart), 200, null);
    }

    @Test
    void a_revoked_split_key_stops_working_within_a_second_of_the_event() {
        byte[] clientPart = SplitKey.newClientPart();
        String keyId = stubTenantKey("t_acme", "openai", "split", "sk-revoke-canary", clientPart, 1, null);
        String part = SplitKey.encodeClientPart(clientPart);
        expectSplit(keyId, part, 200, null);

        upstream.stubFor(get(urlEqualTo("/internal/v1/keys/" + keyId))
                .willReturn(aResponse().withStatus(404)));
        long start = System.nanoTime();
        announce(keyId, "t_acme", "openai", KeyLifecycleEvent.KeyKind.SPLIT, KeyLifecycleEvent.Action.REVOKED);
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> splitStatus(keyId, part) == 401);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void a_managed_key_is_used_by_id_only_by_its_own_tenant_and_never_falls_back() {
        String managed = "sk-managed-canary-" + UUID.randomUUID();
        String keyId = "key_man" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        stubTenantKeyJson(keyId, "t_acme", "openai", "managed", 1, managed, List.of());
        String otherId =
                "key_oth" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        stubTenantKeyJson(otherId, "t_other", "openai", "managed", 1, "sk-other-canary", List.of());

        assertThat(managedStatus(keyId)).isEqualTo(200);
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))
                        .get(0)
                        .getHeader("Authorization"))
                .isEqualTo("Bearer " + managed);
        assertThat(managedStatus(otherId)).isEqualTo(401);

        // key-vault-service down and the key not cached: 503, never the server key instead.
        String uncached =
                "key_unc" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        upstream.stubFor(get(urlEqualTo("/internal/v1/keys/" + uncached))
                .willReturn(aResponse().withStatus(503)));
        assertThat(managedStatus(uncached)).isEqualTo(503);
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .hasSize(1);
        // Down again, but this key is cached: it keeps being served.
        upstream.stubFor(get(urlEqualTo("/internal/v1/keys/" + keyId))
                .willReturn(aResponse().withStatus(503)));
        assertThat(managedStatus(keyId)).isEqualTo(200);
    }

    private int managedStatus(String keyId) {
        return client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .header(ProviderKeys.KEY_ID, keyId)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getStatus()
                .value();
    }

    @Test
    void my_stats_reads_the_calling_apps_own_usage_from_analytics() {
        upstream.stubFor(get(urlPathEqualTo("/internal/v1/app-stats"))
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN))
                .withQueryParam("tenantId", equalTo("t_acme"))
                .withQueryParam("appId", equalTo("app_1"))
                .willReturn(okJson("{\"appId\":\"app_1\",\"today\":{\"requests\":7}}")));

        client.get()
                .uri("/analytics/my-stats?tenantId=t_other&appId=app_other")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.today.requests")
                .isEqualTo(7);
        upstream.verify(getRequestedFor(urlPathEqualTo("/internal/v1/app-stats"))
                .withQueryParam("tenantId", equalTo("t_acme"))
                .withQueryParam("appId", equalTo("app_1")));
        client.get().uri("/analytics/my-stats").exchange().expectStatus().isUnauthorized();
        upstream.stubFor(get(urlPathEqualTo("/internal/v1/app-stats"))
                .willReturn(aResponse().withStatus(500)));
        client.get()
                .uri("/analytics/my-stats")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("stats_unavailable");
    }

    /** A chat request through the edge with a split key. */
    private WebTestClient.ResponseSpec splitRequest(String keyId, String clientPart) {
        return client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .header(ProviderKeys.PARTIAL_KEY_ID, keyId)
                .header(ProviderKeys.PARTIAL_KEY, clientPart)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange();
    }

    private int splitStatus(String keyId, String clientPart) {
        return splitRequest(keyId, clientPart)
                .expectBody(String.class)
                .returnResult()
                .getStatus()
                .value();
    }

    private void expectSplit(String keyId, String clientPart, int status, String type) {
        WebTestClient.BodyContentSpec body =
                splitRequest(keyId, clientPart).expectStatus().isEqualTo(status).expectBody();
        if (type != null) {
            body.jsonPath("$.error.type").isEqualTo(type);
        }
    }

    /** What key-vault-service publishes when a key changes. */
    private void announce(
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

    private void announceRotation(String provider) {
        announce(
                "key_" + provider,
                KeyLifecycleEvent.PLATFORM_TENANT,
                provider,
                KeyLifecycleEvent.KeyKind.SERVER,
                KeyLifecycleEvent.Action.ROTATED);
    }

    /** The bearer key the upstream saw on one fresh request through the edge. */
    private String upstreamKeyOfNextRequest() {
        upstream.resetRequests();
        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isOk();
        return upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))
                .get(0)
                .getHeader("Authorization")
                .substring("Bearer ".length());
    }
}
