package dev.symbolon.edge.usage;

import dev.symbolon.contracts.Tokens;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads token usage from a provider's JSON, in whichever wire shape it comes, into every token class
 * it bills separately (the mapping is tabled on {@link Tokens}): OpenAI Chat Completions and
 * compatibles ({@code usage.prompt_tokens} with {@code *_tokens_details}), OpenAI Responses
 * ({@code usage.input_tokens} with {@code input_tokens_details}, nested in {@code response} of a
 * stream's {@code response.completed}), Anthropic ({@code usage.input_tokens} plus cache reads and
 * writes, also nested in {@code message} of a stream's {@code message_start}) and Gemini
 * ({@code usageMetadata}).
 */
final class UsageParser {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Optional<Tokens> parse(byte[] json, int offset, int length) {
        JsonNode root;
        try {
            root = JSON.readTree(json, offset, length);
        } catch (JacksonException e) {
            return Optional.empty();
        }
        return parse(root);
    }

    static Optional<Tokens> parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        JsonNode gemini = root.get("usageMetadata");
        if (gemini != null && gemini.isObject()) {
            return Optional.of(gemini(gemini));
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
        return Optional.of(anthropic(usage));
    }

    /** Anthropic's {@code input_tokens} excludes cache reads and writes; ours is the whole prompt. */
    private static Tokens anthropic(JsonNode usage) {
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
    private static Tokens gemini(JsonNode usage) {
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

    /**
     * Combines two reports of the same response. Streams report in parts (Anthropic sends input
     * tokens in {@code message_start}, output in {@code message_delta}); a later non-zero count
     * replaces an earlier one, since providers report cumulative totals.
     */
    static Tokens merge(Tokens earlier, Tokens later) {
        return new Tokens(
                later(earlier.input(), later.input()),
                later(earlier.cachedInput(), later.cachedInput()),
                later(earlier.cacheWrite5m(), later.cacheWrite5m()),
                later(earlier.cacheWrite1h(), later.cacheWrite1h()),
                later(earlier.output(), later.output()),
                later(earlier.reasoning(), later.reasoning()),
                later(earlier.audioInput(), later.audioInput()),
                later(earlier.audioOutput(), later.audioOutput()));
    }

    private static long later(long earlier, long later) {
        return later != 0 ? later : earlier;
    }

    private UsageParser() {}
}
