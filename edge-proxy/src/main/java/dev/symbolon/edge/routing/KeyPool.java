package dev.symbolon.edge.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The keys a request may be served with, each with its weight: the operator's server-key pool of a
 * provider (as one tenant sees it), or a single tenant key. Requests are spread in proportion to the
 * weights by a smooth weighted round robin (nginx's: over one cycle of the weights' sum, each key gets
 * exactly its weight, interleaved rather than in runs), skipping keys this edge is leaving alone
 * ({@link KeyHealth}). Immutable but for its cursor; one per provider and tenant, shared by every request.
 */
public final class KeyPool {

    /** A pool holds at most this many keys (one bit each in a look-up's mask). */
    static final int MAX_KEYS = 64;

    private final List<ProviderKey> keys;
    /** Indices into {@link #keys}, one cycle of the smooth weighted round robin. */
    private final int[] schedule;

    private final AtomicInteger cursor = new AtomicInteger();

    private KeyPool(List<ProviderKey> keys, int[] schedule) {
        this.keys = keys;
        this.schedule = schedule;
    }

    /** A pool of one key (a tenant's own key, or a provider's only server key). */
    public static KeyPool single(ProviderKey key) {
        return new KeyPool(List.of(key), new int[] {0});
    }

    /**
     * A pool of keys with their weights (1 to 100 each; the first {@link #MAX_KEYS} keys are kept).
     *
     * @throws IllegalArgumentException when empty or a weight is out of range
     */
    public static KeyPool of(List<ProviderKey> keys, List<Integer> weights) {
        if (keys.isEmpty() || keys.size() != weights.size()) {
            throw new IllegalArgumentException("a pool has one weight per key and at least one key");
        }
        int n = Math.min(keys.size(), MAX_KEYS);
        int[] w = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            w[i] = weights.get(i);
            if (w[i] < 1 || w[i] > 100) {
                throw new IllegalArgumentException("a key's weight is 1 to 100");
            }
            total += w[i];
        }
        int[] schedule = new int[total];
        int[] current = new int[n];
        for (int slot = 0; slot < total; slot++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += w[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            schedule[slot] = best;
        }
        return new KeyPool(List.copyOf(keys.subList(0, n)), schedule);
    }

    public int size() {
        return keys.size();
    }

    public List<ProviderKey> keys() {
        return keys;
    }

    /**
     * The key for a request's first attempt: the next healthy one by weight; when every key is being
     * left alone, the one whose cooldown ends first (the request is better served by a key that may have
     * recovered than refused by the edge; its answer tells the breaker).
     */
    public ProviderKey first(KeyHealth health) {
        if (keys.size() == 1) {
            ProviderKey only = keys.get(0);
            health.tryAcquire(only); // claims the probe of a half-open key; the request goes to it anyway
            return only;
        }
        ProviderKey healthy = pick(health, List.of());
        return healthy != null ? healthy : soonestRecovered(health);
    }

    /**
     * The key for a fail-over (to another key of this pool, or to this pool at a fallback target): the
     * next healthy key by weight that the request has not tried yet; null when there is none.
     */
    public ProviderKey next(KeyHealth health, Collection<String> tried) {
        return pick(health, tried);
    }

    private ProviderKey pick(KeyHealth health, Collection<String> tried) {
        // A key that cannot serve gives up its slot (the request takes the next one), so the others keep
        // their weights' proportions between them.
        int cycle = schedule.length;
        long seen = 0;
        for (int i = 0; i < cycle; i++) {
            int index = schedule[Math.floorMod(cursor.getAndIncrement(), cycle)];
            long bit = 1L << index;
            if ((seen & bit) != 0) {
                continue;
            }
            seen |= bit;
            ProviderKey key = keys.get(index);
            if (!tried.contains(key.keyId()) && health.tryAcquire(key)) {
                return key;
            }
            if (Long.bitCount(seen) == keys.size()) {
                break;
            }
        }
        return null;
    }

    private ProviderKey soonestRecovered(KeyHealth health) {
        List<ProviderKey> byRecovery = new ArrayList<>(keys);
        byRecovery.sort((a, b) -> Long.signum(health.openUntil(a) - health.openUntil(b)));
        return byRecovery.get(0);
    }

    @Override
    public String toString() {
        return "KeyPool" + keys.stream().map(ProviderKey::keyId).toList();
    }
}
