package dev.symbolon.contracts;

import java.time.Instant;
import java.util.List;

/**
 * The answer of key-vault-service's internal key API ({@code GET /internal/v1/server-keys/{provider}},
 * {@code GET /internal/v1/keys/{keyId}}, service token only) as both sides read it: a whole key's
 * material, or, for a split key, its sealed versions (each opened at the edge with the tenant's client
 * part). Key material is text here only on the wire between the two; neither record prints it.
 *
 * @param kind {@code server}, {@code managed} or {@code split}
 * @param apiKey the material of a whole key; null for a split key
 * @param versions a split key's sealed versions (base64), newest first; empty for a whole key
 * @param weight the key's share of its pool's requests, 1 to 100 (an answer without one: 1)
 */
public record InternalKey(
        String keyId,
        String tenantId,
        String provider,
        String kind,
        int keyVersion,
        String apiKey,
        List<Version> versions,
        Integer weight) {

    public InternalKey {
        weight = weight == null ? 1 : Math.max(1, weight);
    }

    /** A sealed version of a split key, usable until {@code graceUntil} once a newer one exists. */
    public record Version(int version, String sealed, Instant graceUntil) {
        @Override
        public String toString() {
            return "Version[" + version + "]";
        }
    }

    @Override
    public String toString() {
        return "InternalKey[" + keyId + "]";
    }
}
