package dev.symbolon.edge.routing;

import dev.symbolon.contracts.Secret;

/**
 * A provider key ready to inject upstream. Exists in edge memory only; {@code apiKey} prints
 * redacted.
 *
 * @param kind {@code server}, {@code managed} or {@code split}
 * @param owner the tenant the key belongs to ({@code _platform} for the operator's server keys): whom
 *     its health is reported to
 */
public record ProviderKey(String keyId, String provider, String kind, int keyVersion, Secret apiKey, String owner) {

    /** Whether the tenant owns the key (a managed or split BYOK key), not the operator. */
    public boolean tenantOwned() {
        return !"server".equals(kind);
    }
}
