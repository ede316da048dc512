package dev.symbolon.keyvault.store;

import java.util.Map;
import java.util.Optional;

/**
 * Where key material lives: HashiCorp Vault in production ({@link VaultKeyStore}: KV v2 for entries,
 * Transit for encryption), a sealed file store in local mode ({@link LocalKeyStore}). PostgreSQL never
 * holds material; only implementations of this interface do.
 *
 * <p>Entries are versioned maps of strings under logical paths ({@code tenants/t_1/keys/key_abc}). The
 * callers ({@link WrappedEntries}) put only ciphertext made by {@link #encrypt} in them, so an entry
 * alone reveals nothing: reading it and decrypting it are separate permissions in Vault.
 *
 * <p>Every method throws {@link KeyStoreUnavailableException} when the store cannot answer (sealed,
 * unreachable, refusing this service).
 */
public interface KeyStore {

    /** The newest version of the entry at a path; empty when there is none (or it was destroyed). */
    Optional<Entry> read(String path);

    /**
     * Writes {@code data} as the next version of the entry, but only if its newest version is still
     * {@code expectedVersion} (check-and-set; 0: the entry must not exist yet).
     *
     * @return the version written
     * @throws ConcurrentChangeException when someone else wrote first
     */
    int write(String path, Map<String, String> data, int expectedVersion);

    /** Destroys one version of an entry irrecoverably; the others stay. A missing one is not an error. */
    void destroyVersion(String path, int version);

    /** Destroys every version of an entry and its metadata. A missing entry is not an error. */
    void destroy(String path);

    /**
     * Encrypts under the store's wrapping key, derived for {@code context}: a ciphertext opens only
     * with the same context.
     */
    String encrypt(String context, byte[] plaintext);

    /**
     * Opens what {@link #encrypt} made.
     *
     * @throws IllegalStateException if the ciphertext does not open for this context
     */
    byte[] decrypt(String context, String ciphertext);

    /** The same plaintext encrypted under the newest version of the wrapping key, never leaving the store. */
    String rewrap(String context, String ciphertext);

    /** Adds a new version of the wrapping key; new encryptions use it, older ciphertexts still open. */
    void rotateWrappingKey();

    /** The wrapping key version a ciphertext was made with (to find those a rotation left behind). */
    int wrappingVersionOf(String ciphertext);

    /** The newest wrapping key version. */
    int currentWrappingVersion();

    /** One version of an entry. */
    record Entry(int version, Map<String, String> data) {
        public Entry {
            data = Map.copyOf(data);
        }
    }
}
