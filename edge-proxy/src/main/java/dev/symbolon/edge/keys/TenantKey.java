package dev.symbolon.edge.keys;

import dev.symbolon.contracts.Secret;
import java.time.Instant;
import java.util.List;

/**
 * A tenant's own key as key-vault-service serves it to the edge: whole ({@code managed}: {@code apiKey})
 * or split ({@code split}: each live version's sealed server part, which only the tenant's client part
 * opens). Prints without material.
 */
record TenantKey(
        String keyId,
        String tenantId,
        String provider,
        String kind,
        int keyVersion,
        Secret apiKey,
        List<Sealed> versions) {

    boolean split() {
        return "split".equals(kind);
    }

    /** One version's sealed server part; {@code graceUntil} is null for the current version. */
    record Sealed(int version, byte[] sealed, Instant graceUntil) {
        boolean usableAt(Instant now) {
            return graceUntil == null || now.isBefore(graceUntil);
        }

        @Override
        public String toString() {
            return "Sealed[v" + version + "]";
        }
    }

    @Override
    public String toString() {
        return "TenantKey[" + keyId + "]";
    }
}
