package dev.symbolon.contracts;

import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one wire format of every event: UTF-8 JSON, timestamps as ISO-8601 strings, no type
 * information (no Java class names on the wire). Unknown fields are ignored so that additive
 * changes never break an older consumer.
 */
public final class EventJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    public static byte[] encode(Event event) {
        return MAPPER.writeValueAsBytes(event);
    }

    public static String encodeToString(Event event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    /**
     * Decodes one event.
     *
     * @throws MalformedEventException when the bytes are not a valid event of that type
     */
    public static <T extends Event> T decode(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw new MalformedEventException(type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    public static <T extends Event> T decode(String json, Class<T> type) {
        return decode(json.getBytes(StandardCharsets.UTF_8), type);
    }

    /** A message that is not a valid event: a consumer dead-letters it instead of retrying. */
    public static final class MalformedEventException extends RuntimeException {
        MalformedEventException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private EventJson() {}
}
