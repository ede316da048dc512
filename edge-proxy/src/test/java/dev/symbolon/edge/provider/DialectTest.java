package dev.symbolon.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.ProviderCatalogue;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.Tokens;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What each provider family's dialect knows, side by side. */
class DialectTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Provider OPENAI =
            new Provider("openai", URI.create("https://api.openai.com/v1"), Dialect.OPENAI);
    private static final Provider GROQ =
            new Provider("groq", URI.create("https://api.groq.com/openai/v1"), Dialect.OPENAI);
    private static final Provider COMPAT =
            new Provider("compat:vllm", URI.create("http://vllm:8000/v1"), Dialect.OPENAI);
    private static final Provider ANTHROPIC =
            new Provider("anthropic", URI.create("https://api.anthropic.com/v1"), Dialect.ANTHROPIC);
    private static final Provider GEMINI =
            new Provider("gemini", URI.create("https://generativelanguage.googleapis.com/v1beta"), Dialect.GEMINI);

    @Test
    void every_catalogue_family_has_a_dialect_of_the_same_name() {
        for (ProviderCatalogue.Entry entry : ProviderCatalogue.ALL) {
            assertThat(Dialect.of(entry.dialect()).name())
                    .isEqualTo(entry.dialect().name().toLowerCase(java.util.Locale.ROOT));
            assertThat(Dialect.of(entry.dialect()).inferenceEndpoints()).isNotEmpty();
            assertThat(Dialect.ALL).contains(Dialect.of(entry.dialect()));
        }
        for (dev.symbolon.contracts.ProviderCatalogue.Dialect family :
                dev.symbolon.contracts.ProviderCatalogue.Dialect.values()) {
            assertThat(Dialect.ALL).contains(Dialect.of(family));
        }
    }

    @Test
    void each_dialect_injects_the_key_where_its_api_reads_it_and_nowhere_else() {
        Secret key = Secret.of("sk-canary-dialect");
        HttpHeaders openai = new HttpHeaders();
        Dialect.OPENAI.injectKey(key, openai);
        HttpHeaders anthropic = new HttpHeaders();
        Dialect.ANTHROPIC.injectKey(key, anthropic);
        HttpHeaders gemini = new HttpHeaders();
        Dialect.GEMINI.injectKey(key, gemini);

        assertThat(openai.toSingleValueMap())
                .containsExactly(java.util.Map.entry("Authorization", "Bearer sk-canary-dialect"));
        assertThat(anthropic.toSingleValueMap())
                .containsOnly(
                        java.util.Map.entry("x-api-key", "sk-canary-dialect"),
                        java.util.Map.entry("anthropic-version", AnthropicDialect.DEFAULT_VERSION));
        assertThat(gemini.toSingleValueMap())
                .containsExactly(java.util.Map.entry("x-goog-api-key", "sk-canary-dialect"));

        HttpHeaders pinned = new HttpHeaders();
        pinned.set("anthropic-version", "2024-01-01");
        Dialect.ANTHROPIC.injectKey(key, pinned);
        assertThat(pinned.getFirst("anthropic-version")).isEqualTo("2024-01-01");
    }

    @Test
    void only_gemini_takes_a_key_in_the_query() {
        LinkedMultiValueMap<String, String> query = new LinkedMultiValueMap<>();
        query.add(ClientCredentials.GOOGLE_QUERY_KEY, "sym_live_query");

        assertThat(Dialect.GEMINI.keyInQuery()).isTrue();
        assertThat(Dialect.GEMINI.credential(new HttpHeaders(), query)).isEqualTo("sym_live_query");
        for (Dialect other : List.of(Dialect.OPENAI, Dialect.ANTHROPIC, Dialect.MISTRAL)) {
            assertThat(other.keyInQuery()).isFalse();
            assertThat(other.credential(new HttpHeaders(), query)).isNull();
        }
    }

    @Test
    void the_output_cap_goes_in_the_field_each_family_and_endpoint_reads() {
        assertThat(capped(OPENAI, "/chat/completions")).isEqualTo("{\"max_completion_tokens\":64}");
        assertThat(capped(OPENAI, "/responses")).isEqualTo("{\"max_output_tokens\":64}");
        assertThat(capped(GROQ, "/chat/completions")).isEqualTo("{\"max_tokens\":64}");
        assertThat(capped(COMPAT, "/chat/completions")).isEqualTo("{\"max_tokens\":64}");
        assertThat(capped(ANTHROPIC, "/messages")).isEqualTo("{\"max_tokens\":64}");
        assertThat(capped(GEMINI, "/models/gemini-2.5-flash:generateContent"))
                .isEqualTo("{\"generationConfig\":{\"maxOutputTokens\":64}}");
    }

    @Test
    void stream_usage_is_asked_for_only_where_the_api_reports_it_only_when_asked() {
        assertThat(Dialect.OPENAI.asksStreamUsage(OPENAI, "/chat/completions")).isTrue();
        assertThat(Dialect.OPENAI.asksStreamUsage(COMPAT, "/completions")).isTrue();
        assertThat(Dialect.OPENAI.asksStreamUsage(OPENAI, "/responses")).isFalse();
        assertThat(Dialect.OPENAI.asksStreamUsage(GROQ, "/chat/completions")).isFalse();
        assertThat(Dialect.ANTHROPIC.asksStreamUsage(ANTHROPIC, "/messages")).isFalse();
        assertThat(Dialect.GEMINI.asksStreamUsage(GEMINI, "/models/m:streamGenerateContent"))
                .isFalse();
    }

    @Test
    void gemini_streams_and_names_its_model_in_the_path_the_others_in_the_body() {
        JsonNode plain = JSON.readTree("{}");
        assertThat(Dialect.GEMINI.streams(plain, "/models/gemini-2.5-pro:streamGenerateContent"))
                .isTrue();
        assertThat(Dialect.GEMINI.streams(plain, "/models/gemini-2.5-pro:generateContent"))
                .isFalse();
        assertThat(Dialect.GEMINI.pathModel("/models/gemini-2.5-pro:generateContent"))
                .isEqualTo("gemini-2.5-pro");
        assertThat(Dialect.GEMINI.pathModel("/models/")).isNull();
        assertThat(Dialect.OPENAI.streams(JSON.readTree("{\"stream\":true}"), "/chat/completions"))
                .isTrue();
        assertThat(Dialect.OPENAI.streams(plain, "/models/x:streamGenerateContent"))
                .isFalse();
        assertThat(Dialect.OPENAI.pathModel("/models/gpt-4o")).isNull();
    }

    @Test
    void each_dialect_reads_its_own_usage_shape_and_its_openai_compatible_endpoints() {
        JsonNode chat = JSON.readTree("{\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}");
        JsonNode messageStart = JSON.readTree(
                "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}");
        JsonNode metadata = JSON.readTree("{\"usageMetadata\":{\"promptTokenCount\":7,\"candidatesTokenCount\":2}}");

        assertThat(Dialect.OPENAI.usage(chat)).contains(Tokens.of(12, 3));
        assertThat(Dialect.ANTHROPIC.usage(chat)).contains(Tokens.of(12, 3));
        assertThat(Dialect.GEMINI.usage(chat)).contains(Tokens.of(12, 3));
        assertThat(Dialect.ANTHROPIC.usage(messageStart)).contains(Tokens.of(9, 1));
        assertThat(Dialect.GEMINI.usage(metadata)).contains(Tokens.of(7, 2));
        // a shape the family never sends is not guessed at
        assertThat(Dialect.OPENAI.usage(metadata)).isEmpty();
        assertThat(Dialect.OPENAI.usage(messageStart)).isEmpty();
    }

    @Test
    void each_dialect_reads_the_text_its_stream_events_deliver() {
        JsonNode chat = JSON.readTree("{\"choices\":[{\"delta\":{\"content\":\"Hel\",\"tool_calls\":"
                + "[{\"function\":{\"arguments\":\"{}\"}}]}}]}");
        JsonNode responses = JSON.readTree("{\"type\":\"response.output_text.delta\",\"delta\":\"lo\"}");
        JsonNode anthropic = JSON.readTree(
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Bon\"}}");
        JsonNode gemini = JSON.readTree("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"jour\"}]}}]}");

        assertThat(delivered(Dialect.OPENAI, chat, responses, anthropic, gemini))
                .isEqualTo("Hel{}lo");
        assertThat(delivered(Dialect.MISTRAL, chat)).isEqualTo("Hel{}");
        assertThat(delivered(Dialect.ANTHROPIC, chat, responses, anthropic, gemini))
                .isEqualTo("Hel{}Bon");
        assertThat(delivered(Dialect.GEMINI, chat, responses, anthropic, gemini))
                .isEqualTo("Hel{}jour");
    }

    private static String delivered(Dialect dialect, JsonNode... events) {
        StringBuilder text = new StringBuilder();
        for (JsonNode event : events) {
            dialect.deliveredText(event, text);
        }
        return text.toString();
    }

    @Test
    void billing_headers_pass_only_with_the_tenants_own_key_and_families_keep_to_their_own_headers() {
        assertThat(ForwardedHeaders.forwarded(Dialect.OPENAI, true, "OpenAI-Project"))
                .isTrue();
        assertThat(ForwardedHeaders.forwarded(Dialect.OPENAI, false, "OpenAI-Project"))
                .isFalse();
        assertThat(ForwardedHeaders.forwarded(Dialect.ANTHROPIC, true, "anthropic-beta"))
                .isTrue();
        assertThat(ForwardedHeaders.forwarded(Dialect.GEMINI, true, "anthropic-beta"))
                .isFalse();
        assertThat(ForwardedHeaders.forwarded(Dialect.GEMINI, true, "x-stainless-lang"))
                .isFalse();
        assertThat(ForwardedHeaders.forwarded(Dialect.MISTRAL, false, "x-stainless-lang"))
                .isTrue();
        assertThat(ForwardedHeaders.forwarded(Dialect.GEMINI, false, "X-Goog-Api-Client"))
                .isTrue();
    }

    private static String capped(Provider provider, String endpoint) {
        ObjectNode body = JSON.createObjectNode();
        provider.dialect().putOutputCap(body, provider, endpoint, 64);
        return JSON.writeValueAsString(body);
    }
}
