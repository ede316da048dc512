package dev.symbolon.edge.usage;

import dev.symbolon.edge.provider.Dialect;
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

    /**
     * The delivered completion text's tokens (read in the dialect's stream shape), by the model's
     * encoding or the documented estimate.
     */
    long outputTokens(Dialect dialect, String model) {
        StringBuilder text = new StringBuilder();
        String all = lines.toString(StandardCharsets.UTF_8);
        int start = 0;
        while (start < all.length()) {
            int end = all.indexOf('\n', start);
            if (end < 0) {
                end = all.length();
            }
            collect(dialect, all.substring(start, end), text);
            start = end + 1;
        }
        return Tokenizer.count(model, text.toString()) + beyondCap / 4;
    }

    /** Parses one kept line and lets the dialect read the text it adds. */
    private static void collect(Dialect dialect, String line, StringBuilder text) {
        JsonNode event;
        try {
            event = JSON.readTree(line);
        } catch (JacksonException e) {
            return;
        }
        if (event != null && event.isObject()) {
            dialect.deliveredText(event, text);
        }
    }
}
