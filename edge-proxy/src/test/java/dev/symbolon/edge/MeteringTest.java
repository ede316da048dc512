package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.edge.usage.Tokenizer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What a request is charged and reserved: cut streams, output caps against token quotas, cost caps. */
class MeteringTest extends EdgeContextTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String PROSE = "The gateway holds the provider keys so that no client ever ships one."
            + " Every request is metered, priced exactly and counted against its tenant's quotas, and a stream"
            + " that a client abandons halfway is charged for what it was sent, not for nothing. ";

    private static Policy quotas(Long tokensPerDay, String costPerDayUsd, String overQuota) {
        return Policy.builder()
                .tokensPerDay(tokensPerDay)
                .costPerDayUsd(costPerDayUsd == null ? null : new BigDecimal(costPerDayUsd))
                .overQuota(overQuota)
                .build();
    }

    /** An OpenAI chat stream of the prose, word by word, then a usage chunk the client never sees. */
    private static String openAiStream(int words) {
        StringBuilder sse = new StringBuilder();
        String[] prose = PROSE.repeat(40).split("(?<= )");
        for (int i = 0; i < words; i++) {
            sse.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":")
                    .append(JSON.writeValueAsString(prose[i % prose.length]))
                    .append("}}]}\n\n");
        }
        return sse.append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":")
                .append(words)
                .append("}}\n\ndata: [DONE]\n\n")
                .toString();
    }

    /** The text of the content deltas in the complete events of an SSE transcript. */
    private static String deltaText(String sse) {
        StringBuilder text = new StringBuilder();
        for (String event : sse.split("\n\n")) {
            if (!event.startsWith("data: {") || !sse.contains(event + "\n\n")) {
                continue;
            }
            JsonNode node = JSON.readTree(event.substring(6));
            for (JsonNode choice : node.path("choices")) {
                text.append(choice.path("delta").path("content").asString(""));
            }
            text.append(node.path("delta").path("text").asString(""));
        }
        return text.toString();
    }

    /** Reads a stream until {@code bytes} have arrived, then hangs up; answers what arrived and the request id. */
    private String[] readThenHangUp(String path, String key, String body, int bytes) {
        StringBuilder received = new StringBuilder();
        String requestId = WebClient.create("http://localhost:" + port)
                .post()
                .uri(path)
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchangeToMono(response -> response.bodyToFlux(DataBuffer.class)
                        .doOnNext(buffer -> {
                            received.append(buffer.toString(StandardCharsets.UTF_8));
                            DataBufferUtils.release(buffer);
                        })
                        .takeUntil(buffer -> received.length() >= bytes)
                        .then(Mono.just(
                                response.headers().header("x-request-id").get(0))))
                .block(Duration.ofSeconds(20));
        return new String[] {received.toString(), requestId};
    }

    @Test
    void a_stream_the_client_abandons_is_charged_for_the_text_it_was_sent_counted_with_the_models_tokenizer() {
        String key = tenantWithPolicy("t_abandon", null);
        String stream = openAiStream(2_000); // about 70 KB of prose, dribbled over 8 s
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing("abandon-me"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(stream)
                        .withChunkedDribbleDelay(400, 8_000)));
        String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"abandon-me\"}]}";

        String[] result = readThenHangUp("/openai/v1/chat/completions", key, body, 22_000);

        UsageRecorded event = awaitUsage(result[1]);
        long received = Tokenizer.count("gpt-4o-mini", deltaText(result[0]));
        long all = Tokenizer.count("gpt-4o-mini", deltaText(stream));
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.CANCELLED);
        assertThat(event.estimated()).isTrue();
        assertThat(event.partial()).isTrue();
        assertThat(received).isPositive();
        // at least what the client read (what the edge had forwarded but the client not yet read is the error)
        assertThat(event.outputTokens()).isBetween(received, all / 2);
        // the prompt as the provider got it (with the stream_options the edge added), counted
        byte[] sentUpstream = upstream.findAll(
                        postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("abandon-me")))
                .get(0)
                .getBody();
        assertThat(event.inputTokens()).isEqualTo(Tokenizer.countBody("gpt-4o-mini", sentUpstream));
        System.out.printf(
                "MEASURED abandoned stream: client read %d tokens, edge charged %d (%+.1f %%), of %d in the stream%n",
                received, event.outputTokens(), 100.0 * (event.outputTokens() - received) / received, all);
    }

    @Test
    void an_abandoned_anthropic_stream_keeps_the_prompt_the_provider_reported_and_counts_the_text_sent() {
        String key = tenantWithPolicy("t_abandon_claude", null);
        StringBuilder stream = new StringBuilder(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":"
                        + "{\"input_tokens\":42,\"output_tokens\":1}}}\n\n");
        for (String word : PROSE.repeat(20).split("(?<= )")) {
            stream.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                            + "\"delta\":{\"type\":\"text_delta\",\"text\":")
                    .append(JSON.writeValueAsString(word))
                    .append("}}\n\n");
        }
        upstream.stubFor(post(urlEqualTo("/anthropic/v1/messages"))
                .withRequestBody(containing("abandon-claude"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(stream.toString())
                        .withChunkedDribbleDelay(200, 6_000)));
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1000,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"abandon-claude\"}]}";

        String[] result = readThenHangUp("/anthropic/v1/messages", key, body, 8_000);

        UsageRecorded event = awaitUsage(result[1]);
        long received = Tokenizer.count("claude-sonnet-4-5", deltaText(result[0]));
        assertThat(event.estimated()).isTrue();
        assertThat(event.inputTokens()).as("as message_start reported it").isEqualTo(42);
        assertThat(event.outputTokens()).isGreaterThanOrEqualTo(received).isPositive();
    }

    @Test
    void an_output_cap_beyond_a_token_quota_is_refused_or_clamped_to_what_remains_where_the_policy_says_so() {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing("cap-me"))
                .willReturn(okJson("{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":5}}")));
        String body = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":100000000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"cap-me\"}]}";
        String refusing = tenantWithPolicy("t_cap_refuse", quotas(1000L, null, null));
        String clamping = tenantWithPolicy("t_cap_clamp", quotas(1000L, null, Policy.CLAMP));

        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + refusing)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("x-symbolon-limit", "tokens-per-day (tenant)")
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("quota_exceeded");
        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + clamping)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk();

        List<LoggedRequest> sent = upstream.findAll(
                postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("cap-me")));
        assertThat(sent).hasSize(1);
        long prompt = Tokenizer.countBody("gpt-4o-mini", body.getBytes(StandardCharsets.UTF_8));
        assertThat(JSON.readTree(sent.get(0).getBodyAsString())
                        .path("max_tokens")
                        .asLong())
                .isEqualTo(1000 - prompt);
    }

    @Test
    void twenty_concurrent_requests_against_a_cost_cap_spend_no_more_than_the_cap() {
        PriceCard price = priced("metered-" + UUID.randomUUID().toString().substring(0, 8));
        String model = price.model();
        // the provider counts 9 prompt tokens and writes 2: 13 µ$ a request; 20 of them would be 260 µ$
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing(model))
                .willReturn(okJson("{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}")
                        .withFixedDelay(400)));
        BigDecimal cap = new BigDecimal("0.0002");
        String key = tenantWithPolicy("t_cost_cap", quotas(null, cap.toPlainString(), null));
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hello\"}]}";

        List<Integer> statuses = Flux.range(0, 20)
                .flatMap(
                        i -> Mono.fromCallable(() -> client.post()
                                        .uri("/openai/v1/chat/completions")
                                        .header("Authorization", "Bearer " + key)
                                        .contentType(MediaType.APPLICATION_JSON)
                                        .bodyValue(body)
                                        .exchange()
                                        .expectBody(String.class)
                                        .returnResult()
                                        .getStatus()
                                        .value())
                                .subscribeOn(Schedulers.boundedElastic()),
                        20)
                .collectList()
                .block(Duration.ofSeconds(60));

        int reached = upstream.findAll(
                        postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(model)))
                .size();
        BigDecimal spent = price.cost(dev.symbolon.contracts.Tokens.of(9, 2)).multiply(BigDecimal.valueOf(reached));
        BigDecimal worstCase = price.worstCase(Tokenizer.countBody(model, body.getBytes(StandardCharsets.UTF_8)), 2);
        assertThat(statuses).filteredOn(s -> s == 200).hasSize(reached);
        assertThat(statuses).filteredOn(s -> s == 429).hasSize(20 - reached);
        assertThat(reached)
                .as("as many as their worst cases fit")
                .isEqualTo(
                        cap.divide(worstCase, 0, java.math.RoundingMode.FLOOR).intValue());
        assertThat(spent).isLessThanOrEqualTo(cap);
        System.out.printf(
                "MEASURED cost cap: %d of 20 reached the provider, spent %s of a %s cap (%.0f %%), worst case %s each%n",
                reached,
                spent.stripTrailingZeros().toPlainString(),
                cap.toPlainString(),
                spent.multiply(BigDecimal.valueOf(100))
                        .divide(cap, 0, java.math.RoundingMode.HALF_UP)
                        .doubleValue(),
                worstCase.stripTrailingZeros().toPlainString());
    }

    private UsageRecorded call(String method, String path, String contentType, byte[] body) {
        var spec = client.method(org.springframework.http.HttpMethod.valueOf(method))
                .uri(path)
                .header("Authorization", "Bearer " + CREDENTIAL);
        var sent = body == null
                ? spec.exchange()
                : spec.contentType(MediaType.parseMediaType(contentType))
                        .bodyValue(body)
                        .exchange();
        String requestId = sent.expectStatus()
                .isOk()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseHeaders()
                .getFirst("x-request-id");
        return awaitUsage(requestId);
    }

    @Test
    void every_api_surface_is_metered_or_deliberately_free_and_none_is_billed_as_zero_silently() {
        upstream.stubFor(post(urlEqualTo("/v1/embeddings"))
                .willReturn(okJson("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                        + "\"embedding\":[0.1]}],\"model\":\"text-embedding-3-small\","
                        + "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}")));
        upstream.stubFor(post(urlEqualTo("/v1/audio/transcriptions"))
                .willReturn(okJson("{\"text\":\"hello\",\"usage\":{\"type\":\"tokens\",\"input_tokens\":120,"
                        + "\"input_token_details\":{\"text_tokens\":20,\"audio_tokens\":100},\"output_tokens\":5,"
                        + "\"total_tokens\":125}}")));
        upstream.stubFor(post(urlEqualTo("/v1/images/generations"))
                .willReturn(okJson("{\"created\":1,\"data\":[{\"b64_json\":\"AAAA\"}],\"usage\":{\"input_tokens\":50,"
                        + "\"input_tokens_details\":{\"text_tokens\":50,\"image_tokens\":0},\"output_tokens\":4160,"
                        + "\"total_tokens\":4210}}")));
        upstream.stubFor(post(urlEqualTo("/v1/audio/speech"))
                .willReturn(aResponse().withHeader("Content-Type", "audio/mpeg").withBody(new byte[] {1, 2, 3})));
        upstream.stubFor(
                post(urlEqualTo("/anthropic/v1/messages/count_tokens")).willReturn(okJson("{\"input_tokens\":42}")));
        upstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/v1/models"))
                .willReturn(okJson("{\"object\":\"list\",\"data\":[]}")));
        stubKey("anthropic", ANTHROPIC_KEY);
        String multipart = "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt-4o-transcribe\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\nRIFF\u0000\u0001\r\n--b--\r\n";

        UsageRecorded embeddings = call(
                "POST",
                "/openai/v1/embeddings",
                "application/json",
                "{\"model\":\"text-embedding-3-small\",\"input\":\"hello\"}".getBytes());
        UsageRecorded transcription = call(
                "POST",
                "/openai/v1/audio/transcriptions",
                "multipart/form-data; boundary=b",
                multipart.getBytes(StandardCharsets.ISO_8859_1));
        UsageRecorded image = call(
                "POST",
                "/openai/v1/images/generations",
                "application/json",
                "{\"model\":\"gpt-image-1\",\"prompt\":\"a cat\"}".getBytes());
        UsageRecorded speech = call(
                "POST",
                "/openai/v1/audio/speech",
                "application/json",
                "{\"model\":\"tts-1\",\"input\":\"hello\",\"voice\":\"alloy\"}".getBytes());
        UsageRecorded counting = call(
                "POST",
                "/anthropic/v1/messages/count_tokens",
                "application/json",
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}".getBytes());
        UsageRecorded models = call("GET", "/openai/v1/models", null, null);

        assertThat(embeddings.tokens()).isEqualTo(dev.symbolon.contracts.Tokens.of(8, 0));
        assertThat(embeddings.partial()).isFalse();
        assertThat(transcription.tokens()).isEqualTo(new dev.symbolon.contracts.Tokens(120, 0, 0, 0, 5, 0, 100, 0));
        assertThat(transcription.model()).isEqualTo("gpt-4o-transcribe");
        assertThat(image.tokens()).isEqualTo(dev.symbolon.contracts.Tokens.of(50, 4160));
        // billed per character, and no usage in an audio body: flagged, not free
        assertThat(speech.partial()).isTrue();
        assertThat(speech.usageUnknown()).isTrue();
        // deliberately free: complete, nothing to charge
        for (UsageRecorded free : List.of(counting, models)) {
            assertThat(free.partial()).as(free.endpoint()).isFalse();
            assertThat(free.usageUnknown()).isFalse();
            assertThat(free.totalTokens()).isZero();
        }
    }
}
