package dev.symbolon.edge.routing;

import dev.symbolon.contracts.Secret;

/**
 * A provider key ready to inject upstream. Exists in edge memory only; {@code apiKey} prints
 * redacted.
 *
 * @param kind {@code server}, {@code managed} or {@code split}
 */
public record ProviderKey(String keyId, String provider, String kind, int keyVersion, Secret apiKey) {

    /** Whether the tenant owns the key (a managed or split BYOK key), not the operator. */
    public boolean tenantOwned() {
        return !"server".equals(kind);
    }
}
