package dev.symbolon.keyvault.store;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.http.HttpStatusCode;
import org.springframework.vault.VaultException;
import org.springframework.vault.core.VaultOperations;
import org.springframework.vault.core.VaultTransitOperations;
import org.springframework.vault.core.VaultVersionedKeyValueOperations;
import org.springframework.vault.support.VaultTransitContext;
import org.springframework.vault.support.VaultTransitKey;
import org.springframework.vault.support.VaultTransitKeyCreationRequest;
import org.springframework.vault.support.Versioned;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.RestClientException;

/**
 * The production key store: HashiCorp Vault through spring-vault.
 *
 * <ul>
 *   <li>Entries live in a KV version 2 mount under {@code <prefix>/<path>}
 *       ({@code symbolon/tenants/t_1/keys/key_abc}); every write is check-and-set.
 *   <li>Encryption is Transit with one <em>derived</em> key (each context gets its own key inside Vault;
 *       contexts are {@code tenantId|keyId}), so a ciphertext moved to another key's entry does not open.
 * </ul>
 *
 * The token this service holds needs: KV read/write/destroy/metadata-delete under the prefix, and
 * Transit encrypt/decrypt/rewrap (rotate for the operator's rotation call) on the one key. See the
 * service README for the policy.
 */
final class VaultKeyStore implements KeyStore {

    private static final String VAULT_PREFIX = "vault:v";

    private final VaultVersionedKeyValueOperations kv;
    private final VaultTransitOperations transit;
    private final String prefix;
    private final String transitKey;

    public VaultKeyStore(VaultOperations vault, String kvMount, String prefix, String transitMount, String transitKey) {
        this.kv = vault.opsForVersionedKeyValue(kvMount);
        this.transit = vault.opsForTransit(transitMount);
        this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        this.transitKey = transitKey;
    }

    /**
     * Creates the Transit key (derived, AES-256-GCM) if it does not exist yet. Operators who create it
     * themselves can withhold the permission; then this only checks that it is there and derived.
     */
    public void ensureTransitKey(boolean create) {
        call("transit key lookup", () -> {
            VaultTransitKey key = transit.getKey(transitKey);
            if (key == null) {
                if (!create) {
                    throw new IllegalStateException("Vault Transit key '" + transitKey + "' does not exist");
                }
                transit.createKey(
                        transitKey,
                        VaultTransitKeyCreationRequest.builder()
                                .type("aes256-gcm96")
                                .derived(true)
                                .build());
            } else if (!key.isDerived()) {
                throw new IllegalStateException("Vault Transit key '" + transitKey
                        + "' must be a derived key: each key entry is encrypted under its own context");
            }
            return null;
        });
    }

    @Override
    public Optional<Entry> read(String path) {
        return call("read", () -> {
            Versioned<Map<String, Object>> versioned = kv.get(prefix + path);
            if (versioned == null || !versioned.hasData()) {
                return Optional.empty();
            }
            Map<String, String> data = new LinkedHashMap<>();
            versioned.getRequiredData().forEach((k, v) -> data.put(k, String.valueOf(v)));
            return Optional.of(new Entry(versioned.getVersion().getVersion(), data));
        });
    }

    @Override
    public int write(String path, Map<String, String> data, int expectedVersion) {
        try {
            return call("write", () -> kv.put(
                            prefix + path, Versioned.create(Map.copyOf(data), Versioned.Version.from(expectedVersion)))
                    .getVersion()
                    .getVersion());
        } catch (CasConflict e) {
            throw new ConcurrentChangeException(path);
        }
    }

    @Override
    public void destroyVersion(String path, int version) {
        call("destroy", () -> {
            kv.destroy(prefix + path, Versioned.Version.from(version));
            return null;
        });
    }

    @Override
    public void destroy(String path) {
        call("delete", () -> {
            kv.opsForKeyValueMetadata().delete(prefix + path);
            return null;
        });
    }

    @Override
    public String encrypt(String context, byte[] plaintext) {
        return call("encrypt", () -> transit.encrypt(transitKey, plaintext, context(context)));
    }

    @Override
    public byte[] decrypt(String context, String ciphertext) {
        return call("decrypt", () -> transit.decrypt(transitKey, ciphertext, context(context)));
    }

    @Override
    public String rewrap(String context, String ciphertext) {
        return call("rewrap", () -> transit.rewrap(transitKey, ciphertext, context(context)));
    }

    @Override
    public void rotateWrappingKey() {
        call("rotate", () -> {
            transit.rotate(transitKey);
            return null;
        });
    }

    @Override
    public int wrappingVersionOf(String ciphertext) {
        int end = ciphertext.indexOf(':', VAULT_PREFIX.length());
        if (!ciphertext.startsWith(VAULT_PREFIX) || end < 0) {
            throw new IllegalStateException("not a Vault Transit ciphertext");
        }
        return Integer.parseInt(ciphertext.substring(VAULT_PREFIX.length(), end));
    }

    @Override
    public int currentWrappingVersion() {
        return call("transit key lookup", () -> {
            VaultTransitKey key = transit.getKey(transitKey);
            if (key == null) {
                throw new IllegalStateException("Vault Transit key '" + transitKey + "' does not exist");
            }
            return key.getLatestVersion();
        });
    }

    private static VaultTransitContext context(String context) {
        return VaultTransitContext.fromContext(context.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Runs one Vault call and turns its failures into this store's: unreachable, sealed (503), refusing
     * (403) and other server errors become {@link KeyStoreUnavailableException}; a lost check-and-set
     * becomes {@link CasConflict}. Messages name the operation and status, never a path's secret parts
     * or a token.
     */
    private static <T> T call(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (VaultException | RestClientException e) {
            HttpStatusCode status = statusOf(e);
            String message = String.valueOf(e.getMessage());
            if (status == null && message.matches("(?s).*Status \\d{3}.*")) {
                status = HttpStatusCode.valueOf(
                        Integer.parseInt(message.replaceFirst("(?s).*?Status (\\d{3}).*", "$1")));
            }
            if (status == null) {
                throw new KeyStoreUnavailableException("Vault " + operation + ": Vault unreachable", e);
            }
            if (status.value() == 400 && message.contains("check-and-set")) {
                throw new CasConflict();
            }
            if (status.value() == 400) {
                // Vault understood and rejected the call (a ciphertext that does not open, a bad path):
                // not an outage, and nothing a retry fixes.
                throw new IllegalStateException("Vault " + operation + " rejected (400)", e);
            }
            String why =
                    switch (status.value()) {
                        case 503 -> "Vault is sealed or in standby";
                        case 403 -> "Vault refused this service (permission denied or token expired)";
                        case 429 -> "Vault is rate limiting";
                        default -> "Vault answered " + status.value();
                    };
            throw new KeyStoreUnavailableException("Vault " + operation + ": " + why, e);
        }
    }

    private static HttpStatusCode statusOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpStatusCodeException http) {
                return http.getStatusCode();
            }
        }
        return null;
    }

    /** A check-and-set write that found another version in place. */
    private static final class CasConflict extends RuntimeException {
        CasConflict() {
            super(null, null, false, false);
        }
    }
}
