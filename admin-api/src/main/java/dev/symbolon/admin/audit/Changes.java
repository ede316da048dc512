package dev.symbolon.admin.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds an audit entry's details: plain facts, and {@code before.x}/{@code after.x} pairs for the
 * fields a change really changed. Callers put in redacted values only (a key's display prefix, never
 * the key or its hash).
 */
public final class Changes {

    private final Map<String, String> details = new LinkedHashMap<>();

    public static Changes of() {
        return new Changes();
    }

    public Changes put(String name, String value) {
        details.put(name, value == null ? "" : value);
        return this;
    }

    /** Records the field when its value changed. */
    public Changes field(String name, String before, String after) {
        if (!Objects.equals(before, after)) {
            details.put("before." + name, before == null ? "" : before);
            details.put("after." + name, after == null ? "" : after);
        }
        return this;
    }

    public Map<String, String> toMap() {
        return Map.copyOf(details);
    }

    private Changes() {}
}
