package dev.symbolon.keyvault.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Versioned key material on top of a {@link KeyStore}: one entry per key, holding each live version
 * of the key as a ciphertext of the store's wrapping key ({@code {"v1": "vault:v1:…", "v2": …}}).
 * Entries never hold plaintext, and every change is a check-and-set write after which the entry's
 * previous store version is destroyed, so no superseded ciphertext lingers in the store's history.
 */
public final class WrappedEntries {

    private static final int ATTEMPTS = 5;

    private final KeyStore store;

    public WrappedEntries(KeyStore store) {
        this.store = store;
    }

    /** Where one key's (or endpoint's) versions live, and the context they are encrypted under. */
    public record Location(String path, String context) {}

    /** Wraps {@code plaintext} for {@code context} and keeps it as version {@code version} at {@code path}. */
    public void put(String path, String context, int version, byte[] plaintext) {
        String wrapped = store.encrypt(context, plaintext);
        update(path, data -> data.put(label(version), wrapped));
    }

    /** Whether a version is stored at a path (nothing is decrypted to say so). */
    public boolean has(String path, int version) {
        return store.read(path)
                .map(entry -> entry.data().containsKey(label(version)))
                .orElse(false);
    }

    /** Every live version at a path, opened (the caller zeroes the arrays once done). */
    public TreeMap<Integer, byte[]> openAll(String path, String context) {
        TreeMap<Integer, byte[]> versions = new TreeMap<>();
        store.read(path).ifPresent(entry -> entry.data().forEach((label, wrapped) -> {
            Integer version = versionOf(label);
            if (version != null) {
                versions.put(version, store.decrypt(context, wrapped));
            }
        }));
        return versions;
    }

    /** One version, opened (the caller zeroes the array once done). */
    public Optional<byte[]> open(String path, String context, int version) {
        return store.read(path)
                .map(entry -> entry.data().get(label(version)))
                .map(wrapped -> store.decrypt(context, wrapped));
    }

    /** Removes versions; an entry left without any is destroyed altogether. */
    public void remove(String path, int... versions) {
        boolean[] empty = {false};
        update(path, data -> {
            Arrays.stream(versions).forEach(v -> data.remove(label(v)));
            empty[0] = data.isEmpty();
        });
        if (empty[0]) {
            store.destroy(path);
        }
    }

    /** Destroys the entry and every version in it. */
    public void destroy(String path) {
        store.destroy(path);
    }

    /**
     * Re-encrypts every version made under an older wrapping key with the newest one, inside the store
     * (the plaintext never reaches this service).
     *
     * @param current the newest wrapping key version (looked up once per pass, not per entry)
     * @return how many versions were re-wrapped
     */
    public int rewrap(Location location, int current) {
        String context = location.context();
        int[] count = {0};
        update(location.path(), data -> {
            count[0] = 0;
            data.replaceAll((label, wrapped) -> {
                if (store.wrappingVersionOf(wrapped) >= current) {
                    return wrapped;
                }
                count[0]++;
                return store.rewrap(context, wrapped);
            });
        });
        return count[0];
    }

    private void update(String path, Consumer<Map<String, String>> change) {
        for (int attempt = 1; ; attempt++) {
            Optional<KeyStore.Entry> entry = store.read(path);
            Map<String, String> before = entry.map(KeyStore.Entry::data).orElse(Map.of());
            Map<String, String> after = new HashMap<>(before);
            change.accept(after);
            if (after.equals(before)) {
                return;
            }
            int previous = entry.map(KeyStore.Entry::version).orElse(0);
            try {
                store.write(path, after, previous);
            } catch (ConcurrentChangeException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                continue;
            }
            if (previous > 0) {
                store.destroyVersion(path, previous);
            }
            return;
        }
    }

    private static String label(int version) {
        return "v" + version;
    }

    private static Integer versionOf(String label) {
        if (label.length() < 2 || label.charAt(0) != 'v') {
            return null;
        }
        try {
            return Integer.valueOf(label.substring(1));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
