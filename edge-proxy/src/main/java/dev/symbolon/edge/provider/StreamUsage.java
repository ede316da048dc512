package dev.symbolon.edge.provider;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI-style streams report usage only when asked ({@code stream_options.include_usage}). When a
 * client streams without asking where its dialect says so ({@link Dialect#asksStreamUsage}), the edge asks for it on the client's behalf, so the request can be
 * metered, and removes the extra usage-only chunk from what the client receives, so the client sees
 * exactly the stream it asked for.
 */
public final class StreamUsage {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The request body with {@code stream_options.include_usage: true} added, or null when the client
     * did not stream or asked for usage itself (the body is then sent unchanged).
     */
    public static byte[] requestUsage(JsonNode request) {
        if (!(request instanceof ObjectNode object) || !object.path("stream").asBoolean(false)) {
            return null;
        }
        JsonNode options = object.get("stream_options");
        if (options != null && options.isObject() && options.has("include_usage")) {
            return null;
        }
        ObjectNode copy = object.deepCopy();
        ObjectNode streamOptions =
                options != null && options.isObject() ? ((ObjectNode) options).deepCopy() : copy.objectNode();
        streamOptions.put("include_usage", true);
        copy.set("stream_options", streamOptions);
        return JSON.writeValueAsBytes(copy);
    }

    /**
     * The stream without the usage-only chunks the edge asked for. Works on whole SSE events: bytes are
     * held only until the event they belong to is complete, and each event goes on as its own buffer,
     * never merged into a later one.
     */
    public static Flux<DataBuffer> withoutUsageChunks(Flux<DataBuffer> upstream, DataBufferFactory buffers) {
        EventSplitter splitter = new EventSplitter();
        return upstream.concatMapIterable(chunk -> {
                    byte[] bytes = new byte[chunk.readableByteCount()];
                    chunk.read(bytes);
                    DataBufferUtils.release(chunk);
                    return splitter.events(bytes);
                })
                .concatWith(Flux.defer(() -> Flux.fromIterable(splitter.rest())))
                .filter(event -> !isUsageOnly(event))
                .map(buffers::wrap);
    }

    static boolean isUsageOnly(byte[] event) {
        String text = new String(event, StandardCharsets.UTF_8);
        if (!text.contains("usage")) {
            return false;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("data:")) {
                try {
                    JsonNode data = JSON.readTree(line.substring(5).trim());
                    JsonNode choices = data.get("choices");
                    return data.path("usage").isObject() && choices != null && choices.isArray() && choices.isEmpty();
                } catch (JacksonException e) {
                    return false;
                }
            }
        }
        return false;
    }

    /** Cuts a byte stream into SSE events (each ending with a blank line). */
    static final class EventSplitter {

        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        List<byte[]> events(byte[] chunk) {
            pending.write(chunk, 0, chunk.length);
            byte[] all = pending.toByteArray();
            List<byte[]> events = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                int end = boundaryEnd(all, i);
                if (end > 0) {
                    events.add(java.util.Arrays.copyOfRange(all, start, end));
                    start = end;
                    i = end - 1;
                }
            }
            pending.reset();
            pending.write(all, start, all.length - start);
            return events;
        }

        List<byte[]> rest() {
            return pending.size() == 0 ? List.of() : List.of(pending.toByteArray());
        }

        /** If an event boundary (\n\n or \r\n\r\n) starts at i, the index after it; else -1. */
        private static int boundaryEnd(byte[] b, int i) {
            if (b[i] == '\n' && i + 1 < b.length && b[i + 1] == '\n') {
                return i + 2;
            }
            if (b[i] == '\r' && i + 3 < b.length && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i + 4;
            }
            return -1;
        }
    }

    private StreamUsage() {}
}
