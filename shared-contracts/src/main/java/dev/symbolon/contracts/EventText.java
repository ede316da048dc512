package dev.symbolon.contracts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text as every consumer can store it. Event records pass their text fields through here in their
 * constructors, so an event cannot hold what PostgreSQL refuses (a NUL byte, an unpaired surrogate
 * that no UTF-8 encodes) or an absurd length, whoever built it: the edge from a client's request, or
 * a decoder from bytes on a topic. Control characters (C0, DEL, C1) and unpaired surrogates become
 * U+FFFD; longer text is cut at {@code maxLength} characters, never inside a surrogate pair.
 */
public final class EventText {

    /** Ids: tenant, app, key, request, event type. */
    public static final int ID = 128;
    /** Names: provider, model, key kind, role, service. */
    public static final int NAME = 256;
    /** Paths, targets and other short free text. */
    public static final int TEXT = 1024;
    /** Free-form values (audit details, notification data). */
    public static final int VALUE = 4096;

    static final char REPLACEMENT = '\uFFFD';

    /** The text as it can be stored; the same instance when nothing needed changing. */
    public static String clean(String value, int maxLength) {
        if (value == null) {
            return null;
        }
        int length = value.length();
        int bad = firstBad(value);
        if (bad < 0 && length <= maxLength) {
            return value; // the common case: one scan, nothing allocated
        }
        StringBuilder out = new StringBuilder(Math.min(length, maxLength));
        for (int i = 0; i < length && out.length() < maxLength; i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                if (out.length() + 2 > maxLength) {
                    break;
                }
                out.append(c).append(value.charAt(++i));
            } else if (Character.isSurrogate(c) || isControl(c)) {
                out.append(REPLACEMENT);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Whether {@link #clean} would leave the text as it is. */
    public static boolean isClean(String value, int maxLength) {
        return value == null || (value.length() <= maxLength && firstBad(value) < 0);
    }

    /** A map of text keys and text values, cleaned ({@code null} stays null). */
    public static Map<String, String> cleanMap(Map<String, String> values, int maxLength) {
        if (values == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(clean(k, ID), clean(v, maxLength)));
        return out;
    }

    /** A JSON-shaped value (maps, lists, strings, numbers, booleans) with every string cleaned. */
    public static Object cleanJson(Object value, int maxLength) {
        if (value instanceof String text) {
            return clean(text, maxLength);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(clean(String.valueOf(k), ID), cleanJson(v, maxLength)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(cleanJson(v, maxLength)));
            return out;
        }
        return value;
    }

    private static int firstBad(String value) {
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                return i;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F);
    }

    private EventText() {}
}
