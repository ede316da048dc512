package dev.symbolon.edge.provider;

import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI and its compatibles: {@code Authorization: Bearer}, {@code usage.prompt_tokens} (Chat
 * Completions), {@code usage.input_tokens} with details (Responses, images, transcriptions), stream
 * usage only when asked for on Chat Completions and Completions.
 */
class OpenAiDialect extends Dialect {

    private static final Set<String> HEADERS = Set.of("openai-beta", "x-client-request-id");

    /** Headers that choose whom OpenAI bills: with the operator's key they would bill another organization. */
    private static final Set<String> BILLING = Set.of("openai-organization", "openai-project");

    private static final List<String> INFERENCE = List.of(
            "POST /chat/completions",
            "POST /completions",
            "POST /embeddings",
            "POST /responses",
            "POST /responses/input_tokens",
            "POST /moderations",
            "POST /images/generations",
            "POST /images/edits",
            "POST /images/variations",
            "POST /audio/speech",
            "POST /audio/transcriptions",
            "POST /audio/translations",
            "GET /models",
            "GET /models/*");

    OpenAiDialect() {
        this("openai");
    }

    OpenAiDialect(String name) {
        super(name);
    }

    @Override
    public String credential(HttpHeaders headers, MultiValueMap<String, String> query) {
        return ClientCredentials.bearer(headers);
    }

    @Override
    public void injectKey(Secret apiKey, HttpHeaders headers) {
        headers.setBearerAuth(apiKey.reveal());
    }

    @Override
    boolean forwards(String lowerName, boolean tenantOwnedKey) {
        return HEADERS.contains(lowerName)
                || ForwardedHeaders.stainless(lowerName)
                || (tenantOwnedKey && BILLING.contains(lowerName));
    }

    @Override
    public Optional<Tokens> usage(JsonNode root) {
        return UsageShapes.openAi(root);
    }

    /** Chat Completions' and Responses' stream events. */
    @Override
    public void deliveredText(JsonNode event, StringBuilder text) {
        StreamText.responses(event, text);
        StreamText.chat(event, text);
    }

    /**
     * OpenAI itself and operator-configured compatibles, on the two endpoints that take
     * {@code stream_options.include_usage}. The Responses API refuses the option and reports usage in
     * its {@code response.completed} event anyway.
     */
    @Override
    public boolean asksStreamUsage(Provider provider, String endpoint) {
        return (provider.name().equals("openai") || provider.name().startsWith("compat:"))
                && (endpoint.equals("/chat/completions") || endpoint.equals("/completions"));
    }

    /** OpenAI reads {@code max_output_tokens} on Responses and {@code max_completion_tokens} on Chat; compatibles {@code max_tokens}. */
    @Override
    public void putOutputCap(ObjectNode request, Provider provider, String endpoint, long cap) {
        if (provider.name().equals("openai") && endpoint.startsWith("/responses")) {
            request.put("max_output_tokens", cap);
        } else if (provider.name().equals("openai")) {
            request.put("max_completion_tokens", cap);
        } else {
            request.put("max_tokens", cap);
        }
    }

    @Override
    List<String> inferenceEndpoints() {
        return INFERENCE;
    }

    /** {@code retry-after}, else the latest {@code x-ratelimit-reset-*} of a limit with none remaining. */
    @Override
    public Duration rateLimitReset(HttpHeaders headers, Instant now) {
        Duration retryAfter = RateLimitHeaders.retryAfter(headers, now);
        return retryAfter != null
                ? retryAfter
                : RateLimitHeaders.exhaustedDurations(headers, "x-ratelimit-", "requests", "tokens");
    }
}
