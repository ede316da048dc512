package dev.symbolon.keyvault.store;

import dev.symbolon.contracts.Secret;
import java.util.Optional;

/**
 * Where key material lives. PostgreSQL never holds it; only implementations of this interface do:
 * {@link LocalKeyStore} in local mode, HashiCorp Vault in production.
 *
 * <p>Paths are logical, e.g. {@code server/key_abc/v1}; each implementation maps them to its storage.
 */
public interface KeyStore {

    /** Stores a value at a path, replacing what was there. */
    void write(String path, Secret value);

    /** The value at a path, or empty when there is none. */
    Optional<Secret> read(String path);

    /** Removes the value irrecoverably. Destroying a missing path is not an error. */
    void destroy(String path);
}
