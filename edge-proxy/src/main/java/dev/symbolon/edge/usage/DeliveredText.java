package dev.symbolon.edge.usage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The text a stream has delivered so far, kept as its raw {@code data:} lines (bounded) and read only
 * when the stream ends without the provider's final usage (the client hung up, or the stream was cut):
 * then it is counted so that the request is charged for what was delivered.
 *
 * <p>Counted with {@link Tokenizer}; the event says {@code estimated}.
 */
final class DeliveredText {

    /** Past this much retained stream, the rest is counted by its size (four bytes a token). */
    static final int CAP = 4 * 1024 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ByteArrayOutputStream lines = new ByteArrayOutputStream();
    private long beyondCap;

    /** Keeps one {@code data:} line's JSON (without the prefix). */
    void add(byte[] buffer, int from, int to) {
        int length = to - from;
        if (lines.size() + length + 1 > CAP) {
            beyondCap += length;
            return;
        }
        lines.write(buffer, from, length);
        lines.write('\n');
    }

    /** The delivered completion text's tokens, by the model's encoding or the documented estimate. */
    long outputTokens(String model) {
        StringBuilder text = new StringBuilder();
        String all = lines.toString(StandardCharsets.UTF_8);
        int start = 0;
        while (start < all.length()) {
            int end = all.indexOf('\n', start);
            if (end < 0) {
                end = all.length();
            }
            collect(all.substring(start, end), text);
            start = end + 1;
        }
        return Tokenizer.count(model, text.toString()) + beyondCap / 4;
    }

    /** The text one stream event adds, in each provider's wire shape. */
    private static void collect(String line, StringBuilder text) {
        JsonNode event;
        try {
            event = JSON.readTree(line);
        } catch (JacksonException e) {
            return;
        }
        if (event == null || !event.isObject()) {
            return;
        }
        String type = event.path("type").asString("");
        if (type.equals("content_block_delta")) { // Anthropic
            JsonNode delta = event.path("delta");
            append(text, delta.path("text"));
            append(text, delta.path("partial_json"));
            append(text, delta.path("thinking"));
            return;
        }
        if (type.startsWith("response.") && type.endsWith(".delta")) { // OpenAI Responses
            append(text, event.path("delta"));
            return;
        }
        for (JsonNode choice : event.path("choices")) { // OpenAI Chat and compatibles
            JsonNode delta = choice.path("delta");
            append(text, delta.path("content"));
            append(text, delta.path("reasoning_content"));
            append(text, delta.path("reasoning"));
            for (JsonNode call : delta.path("tool_calls")) {
                append(text, call.path("function").path("arguments"));
            }
            append(text, choice.path("text")); // legacy completions
        }
        for (JsonNode candidate : event.path("candidates")) { // Gemini
            for (JsonNode part : candidate.path("content").path("parts")) {
                append(text, part.path("text"));
            }
        }
    }

    private static void append(StringBuilder text, JsonNode value) {
        if (value.isString()) {
            text.append(value.asString());
        }
    }
}
