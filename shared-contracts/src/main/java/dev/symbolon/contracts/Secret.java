package dev.symbolon.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Key material, a credential or a webhook secret. {@code toString()} never shows the value, so a
 * secret that reaches a log line, an exception message or a record's generated {@code toString}
 * prints {@code [redacted]}. Read the value only where it is used ({@link #reveal()}).
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The secret itself. Call sites are the places to review in a security audit. */
    public String reveal() {
        return value;
    }

    public byte[] revealBytes() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    /** Constant-time comparison, so timing does not leak how much of a guess was right. */
    public boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(revealBytes(), candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && MessageDigest.isEqual(revealBytes(), other.revealBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(revealBytes());
    }

    @Override
    public String toString() {
        return "[redacted]";
    }
}
