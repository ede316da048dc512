package dev.symbolon.edge.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * Which provider calls one client request has made: its key pool, the number of the current attempt
 * (1 for the first) and the keys already tried, so a fail-over never goes back to one of them.
 */
public record Attempts(KeyPool pool, int number, List<String> tried) {

    public Attempts {
        tried = List.copyOf(tried);
    }

    /** The first attempt, with this key of the pool. */
    public static Attempts first(KeyPool pool, ProviderKey key) {
        return new Attempts(pool, 1, List.of(key.keyId()));
    }

    /** The next attempt, with another key of the same pool. */
    public Attempts then(ProviderKey key) {
        List<String> keys = new ArrayList<>(tried);
        keys.add(key.keyId());
        return new Attempts(pool, number + 1, keys);
    }
}
