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
 * Anthropic Messages: {@code x-api-key} (its SDKs; a Bearer credential is taken too) plus
 * {@code anthropic-version}, {@code usage.input_tokens} that excludes cache reads and writes (nested in
 * {@code message} of a stream's {@code message_start}), {@code max_tokens}.
 */
final class AnthropicDialect extends Dialect {

    /** What the edge sends when the client names no API version. */
    static final String DEFAULT_VERSION = "2023-06-01";

    private static final Set<String> HEADERS =
            Set.of("anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access");

    private static final List<String> INFERENCE =
            List.of("POST /messages", "POST /messages/count_tokens", "POST /complete", "GET /models", "GET /models/*");

    AnthropicDialect() {
        super("anthropic");
    }

    @Override
    public String credential(HttpHeaders headers, MultiValueMap<String, String> query) {
        return ClientCredentials.firstNonBlank(headers.getFirst("x-api-key"), ClientCredentials.bearer(headers));
    }

    @Override
    public void injectKey(Secret apiKey, HttpHeaders headers) {
        headers.set("x-api-key", apiKey.reveal());
        if (!headers.containsHeader("anthropic-version")) {
            headers.set("anthropic-version", DEFAULT_VERSION);
        }
    }

    @Override
    boolean forwards(String lowerName, boolean tenantOwnedKey) {
        return HEADERS.contains(lowerName) || ForwardedHeaders.stainless(lowerName);
    }

    /** Anthropic's own shape; its OpenAI-compatible endpoint answers in OpenAI's. */
    @Override
    public Optional<Tokens> usage(JsonNode root) {
        return UsageShapes.anthropic(root);
    }

    /** Messages stream events; its OpenAI-compatible endpoint streams in OpenAI's shape. */
    @Override
    public void deliveredText(JsonNode event, StringBuilder text) {
        StreamText.anthropic(event, text);
        StreamText.chat(event, text);
    }

    @Override
    public void putOutputCap(ObjectNode request, Provider provider, String endpoint, long cap) {
        request.put("max_tokens", cap);
    }

    @Override
    List<String> inferenceEndpoints() {
        return INFERENCE;
    }

    /** {@code retry-after}, else the latest {@code anthropic-ratelimit-*-reset} of a limit with none remaining. */
    @Override
    public Duration rateLimitReset(HttpHeaders headers, Instant now) {
        Duration retryAfter = RateLimitHeaders.retryAfter(headers, now);
        return retryAfter != null
                ? retryAfter
                : RateLimitHeaders.exhaustedTimestamps(
                        headers, now, "anthropic-ratelimit-", "requests", "tokens", "input-tokens", "output-tokens");
    }
}
