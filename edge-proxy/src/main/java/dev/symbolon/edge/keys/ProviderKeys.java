package dev.symbolon.edge.keys;

import dev.symbolon.edge.EdgeProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Provider keys for the request path, served from memory. A miss asks key-vault-service once, however
 * many requests wait for it; a failure is not cached, so the next request tries again.
 */
@Component
public class ProviderKeys {

    private final KeyVaultClient keyVault;
    private final Duration ttl;
    private final Map<String, Mono<ProviderKey>> serverKeys = new ConcurrentHashMap<>();

    ProviderKeys(KeyVaultClient keyVault, EdgeProperties properties) {
        this.keyVault = keyVault;
        this.ttl = properties.keyVault().cacheTtl();
    }

    /** The operator's server key for a provider. */
    public Mono<ProviderKey> serverKey(String provider) {
        return serverKeys.computeIfAbsent(
                provider, p -> keyVault.serverKey(p).cache(key -> ttl, error -> Duration.ZERO, () -> Duration.ZERO));
    }

    /** Drops a cached key, e.g. when {@code key-lifecycle.v1} says it was rotated or revoked. */
    public void evict(String provider) {
        serverKeys.remove(provider);
    }
}
