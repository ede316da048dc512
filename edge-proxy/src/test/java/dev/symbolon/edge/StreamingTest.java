package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.symbolon.contracts.UsageRecorded;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** Streams of every provider family: metered from their usage events, sent as the client asked, cut or abandoned. */
class StreamingTest extends EdgeContextTest {

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

    private WebTestClient.ResponseSpec stream(String path, String body) {
        return client.post()
                .uri(path)
                .header("Authorization", "Bearer " + CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }
}
