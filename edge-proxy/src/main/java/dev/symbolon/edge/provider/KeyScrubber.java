package dev.symbolon.edge.provider;

import dev.symbolon.contracts.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Masks the key the edge injected wherever a provider echoes it back: the whole key, or any run of
 * 8 or more of its characters in a row (providers echo keys masked, like {@code sk-proj-abc…wxyz}, or
 * whole). Each byte of such a run becomes {@code *}, so lengths, and a {@code Content-Length}, stay
 * right. A key shorter than 8 characters is masked where it occurs whole.
 */
public final class KeyScrubber {

    /** The shortest run of key characters that counts as an echo. */
    public static final int WINDOW = 8;

    /** Scrubs nothing: for responses to requests that carried no key. */
    public static final KeyScrubber NONE = new KeyScrubber(new byte[0]);

    private final int window;
    private final Set<Long> windows;

    private KeyScrubber(byte[] key) {
        this.window = Math.min(WINDOW, key.length);
        this.windows = new HashSet<>();
        for (int i = 0; window > 0 && i + window <= key.length; i++) {
            windows.add(pack(key, i, window));
        }
    }

    public static KeyScrubber of(Secret key) {
        byte[] bytes = key.revealBytes();
        try {
            return new KeyScrubber(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Whether the bytes contain an echo of the key. */
    public boolean found(byte[] bytes) {
        for (int i = 0; window > 0 && i + window <= bytes.length; i++) {
            if (windows.contains(pack(bytes, i, window))) {
                return true;
            }
        }
        return false;
    }

    /** The bytes with every echo masked, in place; returns them for chaining. */
    public byte[] scrub(byte[] bytes) {
        // Found on the original bytes first: masking as we went would hide overlapping windows.
        boolean[] masked = new boolean[bytes.length];
        for (int i = 0; window > 0 && i + window <= bytes.length; i++) {
            if (windows.contains(pack(bytes, i, window))) {
                Arrays.fill(masked, i, i + window, true);
            }
        }
        for (int i = 0; i < bytes.length; i++) {
            if (masked[i]) {
                bytes[i] = '*';
            }
        }
        return bytes;
    }

    public String scrub(String value) {
        if (window == 0 || value.length() < window) {
            return value;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return found(bytes) ? new String(scrub(bytes), StandardCharsets.UTF_8) : value;
    }

    private static long pack(byte[] bytes, int from, int length) {
        long packed = 0;
        for (int i = from; i < from + length; i++) {
            packed = packed << 8 | (bytes[i] & 0xff);
        }
        return packed;
    }
}
