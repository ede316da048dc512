package dev.symbolon.contracts;

import java.util.List;

/**
 * The server keys one tenant's requests to a provider may use ({@code GET
 * /internal/v1/server-key-pools/{provider}?tenantId=}, service token only): the keys scoped to that
 * tenant, else the provider's shared ones, each with its weight; the heaviest first. The edge spreads
 * requests over the healthy ones in proportion to their weights.
 */
public record InternalKeyPool(String provider, List<InternalKey> keys) {

    public InternalKeyPool {
        keys = keys == null ? List.of() : List.copyOf(keys);
    }

    @Override
    public String toString() {
        return "InternalKeyPool[" + provider + ", " + keys.size() + " keys]";
    }
}
