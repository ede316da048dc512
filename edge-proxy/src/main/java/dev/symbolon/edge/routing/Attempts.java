package dev.symbolon.edge.routing;

import dev.symbolon.contracts.TenantConfigSnapshot.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * Which provider calls one client request has made: the key pool of the current target, the number of
 * the current attempt (1 for the first), the keys already tried (a fail-over never goes back to one),
 * the request's own model and fallback targets (from its policy), and how many of those were used.
 *
 * @param fallbacks the targets the request may move on to once its own provider's keys are spent
 * @param nextTarget the index in {@code fallbacks} of the next target to try
 */
public record Attempts(
        KeyPool pool, int number, List<String> tried, String model, List<Target> fallbacks, int nextTarget) {

    public Attempts {
        tried = List.copyOf(tried);
        fallbacks = List.copyOf(fallbacks);
    }

    /** The first attempt, with this key of the pool. */
    public static Attempts first(KeyPool pool, ProviderKey key, String model, List<Target> fallbacks) {
        return new Attempts(pool, 1, List.of(key.keyId()), model, fallbacks, 0);
    }

    /** The next attempt, with another key of the same pool. */
    public Attempts then(ProviderKey key) {
        return new Attempts(pool, number + 1, with(key), model, fallbacks, nextTarget);
    }

    /** The next attempt, at fallback target {@code index} with a key of its pool. */
    public Attempts atTarget(int index, KeyPool targetPool, ProviderKey key) {
        return new Attempts(targetPool, number + 1, with(key), model, fallbacks, index + 1);
    }

    /** The fallback targets not tried yet. */
    public List<Target> targetsLeft() {
        return fallbacks.subList(Math.min(nextTarget, fallbacks.size()), fallbacks.size());
    }

    private List<String> with(ProviderKey key) {
        List<String> keys = new ArrayList<>(tried);
        keys.add(key.keyId());
        return keys;
    }
}
