package dev.symbolon.edge.usage;

import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads token usage from a provider's JSON, in whichever wire shape it comes: OpenAI Chat
 * Completions and compatibles ({@code usage.prompt_tokens}), OpenAI Responses ({@code usage.input_tokens}
 * with {@code input_tokens_details}, nested in {@code response} of a stream's {@code response.completed}),
 * Anthropic ({@code usage.input_tokens}, also nested in {@code message} of a stream's
 * {@code message_start}) and Gemini ({@code usageMetadata}).
 */
final class UsageParser {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Optional<TokenUsage> parse(byte[] json, int offset, int length) {
        JsonNode root;
        try {
            root = JSON.readTree(json, offset, length);
        } catch (JacksonException e) {
            return Optional.empty();
        }
        return parse(root);
    }

    static Optional<TokenUsage> parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        JsonNode gemini = root.get("usageMetadata");
        if (gemini != null && gemini.isObject()) {
            return Optional.of(new TokenUsage(
                    gemini.path("promptTokenCount").asLong(0),
                    gemini.path("candidatesTokenCount").asLong(0)
                            + gemini.path("thoughtsTokenCount").asLong(0),
                    gemini.path("cachedContentTokenCount").asLong(0)));
        }
        JsonNode usage = root.get("usage");
        if ((usage == null || !usage.isObject()) && root.path("message").isObject()) {
            usage = root.path("message").get("usage");
        }
        if ((usage == null || !usage.isObject()) && root.path("response").isObject()) {
            usage = root.path("response").get("usage"); // Responses streams: response.completed
        }
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        if (usage.has("prompt_tokens") || usage.has("completion_tokens")) {
            return Optional.of(new TokenUsage(
                    usage.path("prompt_tokens").asLong(0),
                    usage.path("completion_tokens").asLong(0),
                    usage.path("prompt_tokens_details").path("cached_tokens").asLong(0)));
        }
        if (usage.has("input_tokens_details") || usage.has("output_tokens_details")) {
            // OpenAI Responses: input_tokens is the whole prompt, cached tokens are part of it
            return Optional.of(new TokenUsage(
                    usage.path("input_tokens").asLong(0),
                    usage.path("output_tokens").asLong(0),
                    usage.path("input_tokens_details").path("cached_tokens").asLong(0)));
        }
        long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong(0);
        long uncached = usage.path("input_tokens").asLong(0);
        // Anthropic's input_tokens excludes cache reads and writes; ours is the whole prompt.
        long input = uncached + cacheRead + cacheWrite;
        return Optional.of(new TokenUsage(input, usage.path("output_tokens").asLong(0), cacheRead));
    }

    private UsageParser() {}
}
