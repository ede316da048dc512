package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.UsageRecorded;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Each provider family through the edge: the key swap, the query, upstream errors, the key cache, refusals, bodies and headers. */
class ProviderForwardingTest extends EdgeContextTest {

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
        assertThat(upstream.findAll(getRequestedFor(urlPathEqualTo("/internal/v1/server-key-pools/openai"))))
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
