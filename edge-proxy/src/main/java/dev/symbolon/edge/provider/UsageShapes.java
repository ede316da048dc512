package dev.symbolon.edge.provider;

import dev.symbolon.contracts.Tokens;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The usage wire shapes the dialects read, into every token class a provider bills separately (the
 * mapping is tabled on {@link Tokens}).
 */
final class UsageShapes {

    /**
     * OpenAI and compatibles: {@code usage} of a response or of a Chat stream's last chunk, or
     * {@code response.usage} of a Responses stream's {@code response.completed}.
     */
    static Optional<Tokens> openAi(JsonNode root) {
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        return read(usage(root, "response"));
    }

    /** Anthropic: {@code usage}, or {@code message.usage} of a stream's {@code message_start}. */
    static Optional<Tokens> anthropic(JsonNode root) {
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        return read(usage(root, "message"));
    }

    /** Gemini: {@code usageMetadata}; its OpenAI-compatible endpoint's {@code usage}. */
    static Optional<Tokens> gemini(JsonNode root) {
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        JsonNode metadata = root.get("usageMetadata");
        if (metadata != null && metadata.isObject()) {
            return Optional.of(geminiMetadata(metadata));
        }
        return read(root.get("usage"));
    }

    /** {@code usage} of the root, else of the object a stream event nests the response in. */
    private static JsonNode usage(JsonNode root, String nestedIn) {
        JsonNode usage = root.get("usage");
        if ((usage == null || !usage.isObject()) && root.path(nestedIn).isObject()) {
            usage = root.path(nestedIn).get("usage");
        }
        return usage;
    }

    /** A {@code usage} object in whichever of OpenAI's and Anthropic's shapes it comes. */
    private static Optional<Tokens> read(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        if (usage.has("prompt_tokens") || usage.has("completion_tokens")) {
            JsonNode in = usage.path("prompt_tokens_details");
            JsonNode out = usage.path("completion_tokens_details");
            return Optional.of(new Tokens(
                    count(usage, "prompt_tokens"),
                    count(in, "cached_tokens"),
                    0,
                    0,
                    count(usage, "completion_tokens"),
                    count(out, "reasoning_tokens"),
                    count(in, "audio_tokens"),
                    count(out, "audio_tokens")));
        }
        if (usage.has("input_tokens_details") || usage.has("output_tokens_details")) {
            // OpenAI Responses and gpt-image: input_tokens is the whole prompt, cached tokens are part of it
            return Optional.of(new Tokens(
                    count(usage, "input_tokens"),
                    count(usage.path("input_tokens_details"), "cached_tokens"),
                    0,
                    0,
                    count(usage, "output_tokens"),
                    count(usage.path("output_tokens_details"), "reasoning_tokens"),
                    0,
                    0));
        }
        if (usage.has("input_token_details")) {
            // OpenAI transcriptions (gpt-4o-transcribe): audio is part of input_tokens
            return Optional.of(new Tokens(
                    count(usage, "input_tokens"),
                    0,
                    0,
                    0,
                    count(usage, "output_tokens"),
                    0,
                    count(usage.path("input_token_details"), "audio_tokens"),
                    0));
        }
        return Optional.of(inputExcludingCache(usage));
    }

    /** Anthropic's {@code input_tokens} excludes cache reads and writes; ours is the whole prompt. */
    private static Tokens inputExcludingCache(JsonNode usage) {
        long cacheRead = count(usage, "cache_read_input_tokens");
        long cacheWrite = count(usage, "cache_creation_input_tokens");
        JsonNode split = usage.path("cache_creation");
        long write1h = split.isObject() ? count(split, "ephemeral_1h_input_tokens") : 0;
        long write5m = split.isObject() ? count(split, "ephemeral_5m_input_tokens") : cacheWrite;
        if (write5m + write1h < cacheWrite) {
            write5m = cacheWrite - write1h; // a split that does not cover the total: the rest is 5m
        }
        long input = count(usage, "input_tokens") + cacheRead + Math.max(cacheWrite, write5m + write1h);
        return new Tokens(input, cacheRead, write5m, write1h, count(usage, "output_tokens"), 0, 0, 0);
    }

    /** Gemini's {@code thoughtsTokenCount} and tool-use prompt are additive to its counts. */
    private static Tokens geminiMetadata(JsonNode usage) {
        long thoughts = count(usage, "thoughtsTokenCount");
        return new Tokens(
                count(usage, "promptTokenCount") + count(usage, "toolUsePromptTokenCount"),
                count(usage, "cachedContentTokenCount"),
                0,
                0,
                count(usage, "candidatesTokenCount") + thoughts,
                thoughts,
                modality(usage.path("promptTokensDetails"), "AUDIO"),
                modality(usage.path("candidatesTokensDetails"), "AUDIO"));
    }

    private static long modality(JsonNode details, String modality) {
        long total = 0;
        if (details.isArray()) {
            for (JsonNode detail : details) {
                if (modality.equals(detail.path("modality").asString(""))) {
                    total += count(detail, "tokenCount");
                }
            }
        }
        return total;
    }

    /** A non-negative count, 0 where the field is missing or not a number. */
    private static long count(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.canConvertToLong() ? Math.max(0, value.asLong()) : 0;
    }

    private UsageShapes() {}
}
