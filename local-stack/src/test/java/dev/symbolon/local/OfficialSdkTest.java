package dev.symbolon.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.symbolon.local.LocalStack.Service;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The providers' official Java SDKs (OpenAI, Anthropic, Google GenAI, from Maven Central) against the
 * whole local stack, changing only their base URL and key: JSON and streaming for each, and what
 * analytics then stores for each request, tokens by class and cost to the last digit. The provider is
 * a WireMock speaking each provider's wire format, with the usage shapes they send today.
 */
class OfficialSdkTest {

    static final String OPENAI_KEY = "sk-proj-canary-" + UUID.randomUUID();
    static final String ANTHROPIC_KEY = "sk-ant-canary-" + UUID.randomUUID();
    static final String GEMINI_KEY = "AIza-canary-" + UUID.randomUUID();

    @TempDir
    static Path data;

    static WireMockServer provider;
    static LocalStack stack;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final StallReport stalls = StallReport.of(() -> stack);

    @BeforeAll
    static void start() {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        stack = LocalStack.start(FreePorts.stack(
                data,
                Map.of(),
                Map.of(
                        Service.EDGE,
                        Map.of(
                                "symbolon.edge.providers.openai.base-url", provider.baseUrl() + "/openai/v1",
                                "symbolon.edge.providers.anthropic.base-url", provider.baseUrl() + "/anthropic/v1",
                                "symbolon.edge.providers.gemini.base-url", provider.baseUrl() + "/gemini/v1beta"),
                        Service.KEY_VAULT,
                        Map.of(
                                "symbolon.key-vault.server-keys.openai.api-key", OPENAI_KEY,
                                "symbolon.key-vault.server-keys.anthropic.api-key", ANTHROPIC_KEY,
                                "symbolon.key-vault.server-keys.gemini.api-key", GEMINI_KEY))));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        provider.stop();
    }

    private static String edge(String path) {
        return stack.url(Service.EDGE) + path;
    }

    private static String credential() {
        return stack.demoCredential().reveal();
    }

    private static void stub(MappingBuilder mapping) {
        provider.stubFor(mapping);
    }

    private static MappingBuilder sse(MappingBuilder mapping, String events) {
        return mapping.willReturn(
                aResponse().withHeader("Content-Type", "text/event-stream").withBody(events));
    }

    /** What analytics stored for the one request of this provider, endpoint and model. */
    record Fact(
            long input,
            long cached,
            long write5m,
            long write1h,
            long output,
            long reasoning,
            boolean streamed,
            boolean estimated,
            BigDecimal cost) {}

    private static Fact stored(String provider, String endpoint, String model) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> query(provider, endpoint, model), f -> f != null);
    }

    private static Fact query(String provider, String endpoint, String model) throws Exception {
        try (Connection db = DriverManager.getConnection(stack.postgresJdbcUrl(), "postgres", "");
                PreparedStatement statement = db.prepareStatement(
                        "select input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,"
                                + " output_tokens, reasoning_tokens, streamed, estimated, cost_usd, priced"
                                + " from analytics.usage_fact where provider = ? and endpoint = ? and model = ?")) {
            statement.setString(1, provider);
            statement.setString(2, endpoint);
            statement.setString(3, model);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Fact fact = new Fact(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getBoolean(7),
                        rs.getBoolean(8),
                        rs.getBigDecimal(9));
                assertThat(rs.getBoolean(10)).as("priced from the catalogue").isTrue();
                assertThat(rs.next()).as("one fact per request").isFalse();
                return fact;
            }
        }
    }

    // ---------------------------------------------------------------- OpenAI

    private static com.openai.client.OpenAIClient openai() {
        return com.openai.client.okhttp.OpenAIOkHttpClient.builder()
                .apiKey(credential())
                .baseUrl(edge("/openai/v1"))
                .maxRetries(0)
                .build();
    }

    static final String OPENAI_USAGE = "\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":300,"
            + "\"total_tokens\":1500,\"prompt_tokens_details\":{\"cached_tokens\":1024,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}";

    @Test
    void openai_chat_completions_json_and_stream_through_the_official_sdk_are_priced_exactly() {
        stub(post(urlPathEqualTo("/openai/v1/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                        "$.model", equalTo("gpt-4o-mini")))
                .willReturn(okJson("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764547200,"
                        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                        + "\"assistant\",\"content\":\"Hello from JSON\",\"refusal\":null,\"annotations\":[]},"
                        + "\"logprobs\":null,\"finish_reason\":\"stop\"}]," + OPENAI_USAGE
                        + ",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_1\"}")));
        String chunk = "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1764547200,"
                + "\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_1\",";
        stub(sse(
                post(urlPathEqualTo("/openai/v1/chat/completions"))
                        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                                "$.model", equalTo("gpt-4o"))),
                "data: " + chunk + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                        + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
                        + "data: " + chunk + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello \"},"
                        + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
                        + "data: " + chunk + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"stream\"},"
                        + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
                        + "data: " + chunk + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
                        + "\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
                        + "data: " + chunk + "\"choices\":[]," + OPENAI_USAGE + "}\n\n"
                        + "data: [DONE]\n\n"));
        com.openai.client.OpenAIClient client = openai();

        var json = client.chat()
                .completions()
                .create(com.openai.models.chat.completions.ChatCompletionCreateParams.builder()
                        .model("gpt-4o-mini")
                        .addUserMessage("Say hello")
                        .build());
        StringBuilder streamed = new StringBuilder();
        int[] usageChunks = {0};
        try (var stream = client.chat()
                .completions()
                .createStreaming(com.openai.models.chat.completions.ChatCompletionCreateParams.builder()
                        .model("gpt-4o")
                        .addUserMessage("Say hello")
                        .build())) {
            stream.stream().forEach(c -> {
                c.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append));
                if (c.usage().isPresent()) {
                    usageChunks[0]++;
                }
            });
        }

        assertThat(json.choices().get(0).message().content()).contains("Hello from JSON");
        assertThat(json.usage().orElseThrow().promptTokens()).isEqualTo(1200);
        assertThat(streamed.toString()).isEqualTo("Hello stream");
        assertThat(usageChunks[0])
                .as("the usage chunk the edge asked for is not passed on")
                .isZero();
        provider.verify(postRequestedFor(urlPathEqualTo("/openai/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + OPENAI_KEY)));
        // gpt-4o-mini: 176 × 0.15 + 1024 × 0.075 + 300 × 0.60 = 283.2 µ$
        assertThat(stored("openai", "/chat/completions", "gpt-4o-mini"))
                .isEqualTo(new Fact(1200, 1024, 0, 0, 300, 0, false, false, new BigDecimal("0.000283200000")));
        // gpt-4o: 176 × 2.50 + 1024 × 1.25 + 300 × 10 = 4720 µ$
        assertThat(stored("openai", "/chat/completions", "gpt-4o"))
                .isEqualTo(new Fact(1200, 1024, 0, 0, 300, 0, true, false, new BigDecimal("0.004720000000")));
    }

    static final String RESPONSE = "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1764547200,"
            + "\"status\":\"completed\",\"model\":\"gpt-5-mini-2025-08-07\",\"output\":[{\"type\":\"message\","
            + "\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":"
            + "\"output_text\",\"text\":\"Hello responses\",\"annotations\":[]}]}],\"parallel_tool_calls\":true,"
            + "\"tool_choice\":\"auto\",\"tools\":[],\"usage\":{\"input_tokens\":2000,\"input_tokens_details\":"
            + "{\"cached_tokens\":1500},\"output_tokens\":900,\"output_tokens_details\":{\"reasoning_tokens\":640},"
            + "\"total_tokens\":2900}}";

    @Test
    void openai_responses_json_and_stream_through_the_official_sdk_are_priced_exactly() {
        stub(post(urlPathEqualTo("/openai/v1/responses"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                        "$.stream", com.github.tomakehurst.wiremock.client.WireMock.absent()))
                .willReturn(okJson(RESPONSE)));
        String created = RESPONSE.replace("\"status\":\"completed\",\"model\"", "\"status\":\"in_progress\",\"model\"");
        stub(sse(
                post(urlPathEqualTo("/openai/v1/responses"))
                        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                                "$.stream", equalTo("true"))),
                "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":"
                        + created.replaceFirst(",\"usage\":\\{.*}}$", ",\"usage\":null}") + "}\n\n"
                        + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                        + "\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
                        + "\"delta\":\"Hello \",\"logprobs\":[]}\n\n"
                        + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                        + "\"sequence_number\":2,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
                        + "\"delta\":\"responses\",\"logprobs\":[]}\n\n"
                        + "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":3,"
                        + "\"response\":" + RESPONSE.replace("gpt-5-mini-2025-08-07", "gpt-5-2025-08-07") + "}\n\n"));
        com.openai.client.OpenAIClient client = openai();

        var json = client.responses()
                .create(com.openai.models.responses.ResponseCreateParams.builder()
                        .model("gpt-5-mini")
                        .input("Say hello")
                        .build());
        StringBuilder streamed = new StringBuilder();
        try (var stream = client.responses()
                .createStreaming(com.openai.models.responses.ResponseCreateParams.builder()
                        .model("gpt-5")
                        .input("Say hello")
                        .build())) {
            stream.stream().forEach(event -> event.outputTextDelta().ifPresent(d -> streamed.append(d.delta())));
        }

        assertThat(json.output()).isNotEmpty();
        assertThat(streamed.toString()).isEqualTo("Hello responses");
        // gpt-5-mini: 500 × 0.25 + 1500 × 0.025 + 900 × 2 = 1962.5 µ$ (reasoning is output)
        assertThat(stored("openai", "/responses", "gpt-5-mini"))
                .isEqualTo(new Fact(2000, 1500, 0, 0, 900, 640, false, false, new BigDecimal("0.001962500000")));
        // gpt-5: 500 × 1.25 + 1500 × 0.125 + 900 × 10 = 9812.5 µ$; the stream's usage is in response.completed
        assertThat(stored("openai", "/responses", "gpt-5"))
                .isEqualTo(new Fact(2000, 1500, 0, 0, 900, 640, true, false, new BigDecimal("0.009812500000")));
    }

    // ---------------------------------------------------------------- Anthropic

    static final String ANTHROPIC_USAGE = "{\"input_tokens\":400,\"cache_creation_input_tokens\":300,"
            + "\"cache_read_input_tokens\":300,\"cache_creation\":{\"ephemeral_5m_input_tokens\":200,"
            + "\"ephemeral_1h_input_tokens\":100},\"output_tokens\":500,\"service_tier\":\"standard\"}";

    @Test
    void anthropic_messages_json_and_stream_through_the_official_sdk_bill_cache_writes_by_their_ttl() {
        stub(post(urlPathEqualTo("/anthropic/v1/messages"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                        "$.model", equalTo("claude-sonnet-4-5")))
                .willReturn(okJson("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                        + "\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\",\"text\":\"Hello from JSON\"}],"
                        + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":" + ANTHROPIC_USAGE + "}")));
        String start = ANTHROPIC_USAGE.replace("\"output_tokens\":500", "\"output_tokens\":1");
        stub(sse(
                post(urlPathEqualTo("/anthropic/v1/messages"))
                        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                                "$.model", equalTo("claude-haiku-4-5"))),
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":"
                        + "\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5-20251001\",\"content\":[],"
                        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":" + start + "}}\n\n"
                        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                        + "event: ping\ndata: {\"type\":\"ping\"}\n\n"
                        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello \"}}\n\n"
                        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"stream\"}}\n\n"
                        + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                        + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":500}}\n\n"
                        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
        com.anthropic.client.AnthropicClient client = com.anthropic.client.okhttp.AnthropicOkHttpClient.builder()
                .apiKey(credential())
                .baseUrl(edge("/anthropic"))
                .maxRetries(0)
                .build();

        var json = client.messages()
                .create(com.anthropic.models.messages.MessageCreateParams.builder()
                        .model("claude-sonnet-4-5")
                        .maxTokens(1024)
                        .addUserMessage("Say hello")
                        .build());
        StringBuilder streamed = new StringBuilder();
        try (var stream = client.messages()
                .createStreaming(com.anthropic.models.messages.MessageCreateParams.builder()
                        .model("claude-haiku-4-5")
                        .maxTokens(1024)
                        .addUserMessage("Say hello")
                        .build())) {
            stream.stream().forEach(event -> event.contentBlockDelta()
                    .flatMap(d -> d.delta().text())
                    .ifPresent(t -> streamed.append(t.text())));
        }

        assertThat(json.content().get(0).text().orElseThrow().text()).isEqualTo("Hello from JSON");
        assertThat(streamed.toString()).isEqualTo("Hello stream");
        provider.verify(postRequestedFor(urlPathEqualTo("/anthropic/v1/messages"))
                .withHeader("x-api-key", equalTo(ANTHROPIC_KEY)));
        // Sonnet 4.5: 400 × 3 + 300 × 0.30 + 200 × 3.75 + 100 × 6 + 500 × 15 = 10140 µ$ (as input: 9690)
        assertThat(stored("anthropic", "/messages", "claude-sonnet-4-5"))
                .isEqualTo(new Fact(1000, 300, 200, 100, 500, 0, false, false, new BigDecimal("0.010140000000")));
        // Haiku 4.5: 400 × 1 + 300 × 0.10 + 200 × 1.25 + 100 × 2 + 500 × 5 = 3380 µ$
        assertThat(stored("anthropic", "/messages", "claude-haiku-4-5"))
                .isEqualTo(new Fact(1000, 300, 200, 100, 500, 0, true, false, new BigDecimal("0.003380000000")));
    }

    // ---------------------------------------------------------------- Google GenAI

    static final String GEMINI_RESPONSE = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"%s\"}],"
            + "\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":%s,"
            + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r1\"}";
    static final String GEMINI_USAGE = "{\"promptTokenCount\":1000,\"candidatesTokenCount\":200,"
            + "\"thoughtsTokenCount\":800,\"totalTokenCount\":2000,\"promptTokensDetails\":[{\"modality\":\"TEXT\","
            + "\"tokenCount\":1000}]}";

    private static com.google.genai.Client gemini(String apiVersion) {
        return com.google.genai.Client.builder()
                .apiKey(credential())
                .httpOptions(com.google.genai.types.HttpOptions.builder()
                        .baseUrl(edge("/gemini"))
                        .apiVersion(apiVersion)
                        .build())
                .build();
    }

    @Test
    void gemini_generate_content_json_and_stream_through_the_official_sdk_on_v1beta_and_v1_are_priced_exactly() {
        stub(post(urlPathEqualTo("/gemini/v1beta/models/gemini-2.5-flash:generateContent"))
                .willReturn(okJson(GEMINI_RESPONSE.formatted("Hello from JSON", GEMINI_USAGE))));
        stub(sse(
                post(urlPathEqualTo("/gemini/v1/models/gemini-2.5-pro:streamGenerateContent")),
                "data: " + GEMINI_RESPONSE.formatted("Hello ", "{\"promptTokenCount\":1000,\"totalTokenCount\":1000}")
                        + "\r\n\r\ndata: " + GEMINI_RESPONSE.formatted("stream", GEMINI_USAGE) + "\r\n\r\n"));

        var json = gemini("v1beta").models.generateContent("gemini-2.5-flash", "Say hello", null);
        StringBuilder streamed = new StringBuilder();
        try (var stream = gemini("v1").models.generateContentStream("gemini-2.5-pro", "Say hello", null)) {
            for (var response : stream) {
                streamed.append(response.text());
            }
        }

        assertThat(json.text()).isEqualTo("Hello from JSON");
        assertThat(streamed.toString()).isEqualTo("Hello stream");
        provider.verify(postRequestedFor(urlPathEqualTo("/gemini/v1beta/models/gemini-2.5-flash:generateContent"))
                .withHeader("x-goog-api-key", equalTo(GEMINI_KEY)));
        // 2.5 Flash: 1000 × 0.30 + (200 + 800 thinking) × 2.50 = 2800 µ$
        assertThat(stored("gemini", "/models/gemini-2.5-flash:generateContent", "gemini-2.5-flash"))
                .isEqualTo(new Fact(1000, 0, 0, 0, 1000, 800, false, false, new BigDecimal("0.002800000000")));
        // 2.5 Pro, through Google's v1 API: 1000 × 1.25 + 1000 × 10 = 11250 µ$
        assertThat(stored("gemini", "/models/gemini-2.5-pro:streamGenerateContent", "gemini-2.5-pro"))
                .isEqualTo(new Fact(1000, 0, 0, 0, 1000, 800, true, false, new BigDecimal("0.011250000000")));
    }
}
