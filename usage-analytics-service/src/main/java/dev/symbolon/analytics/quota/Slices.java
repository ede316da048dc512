package dev.symbolon.analytics.quota;

import dev.symbolon.contracts.Allowance.Amount;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/**
 * How much of one period's quota an edge may hold: the arithmetic of allowances, per quota kind
 * (requests, tokens, cost), with no I/O.
 *
 * <p>For each kind with a limit {@code L}: the tenant has used {@code C} (counted), and every edge
 * {@code f} whose grant has not expired holds {@code granted_f - counted_f} (room it may still use,
 * and usage of its own not counted yet). An edge may hold at most what leaves {@code C} plus all
 * holdings within {@code L}. An ask that fits gets the room it needs plus a slice of what is free:
 * half of the free room shared among the edges that hold some, so early asks leave room for the
 * others and slices shrink to one request's worth as the quota runs out.
 */
final class Slices {

    private Slices() {}

    /** An edge's row for the period: its cumulative grant, its counted usage, its expiry. */
    record Held(String edgeId, long sequence, BigDecimal[] granted, BigDecimal[] counted, Instant expiresAt) {
        boolean active(Instant now) {
            return expiresAt.isAfter(now);
        }
    }

    /**
     * The outcome for the asking edge: its new cumulative grant per kind (null where unlimited), and
     * whether the ask was refused for want of room.
     */
    record Outcome(BigDecimal[] granted, boolean exhausted) {}

    /**
     * Decides an ask ({@code need} non-null) or a return ({@code need} null) of {@code edgeId}.
     *
     * @param limit per kind, null where the policy sets none
     * @param counted the tenant's counted usage per kind
     * @param held every edge's row for the period
     * @param used what the asking edge says it admitted in the period (settled and in flight)
     */
    static Outcome decide(
            BigDecimal[] limit,
            BigDecimal[] counted,
            List<Held> held,
            String edgeId,
            BigDecimal[] used,
            BigDecimal[] need,
            Instant now) {
        Held own =
                held.stream().filter(h -> h.edgeId().equals(edgeId)).findFirst().orElse(null);
        long active = held.stream()
                        .filter(h -> h.active(now) && !h.edgeId().equals(edgeId))
                        .count()
                + 1;
        BigDecimal[] current = new BigDecimal[3];
        BigDecimal[] free = new BigDecimal[3];
        boolean fits = true;
        for (int k = 0; k < 3; k++) {
            if (limit[k] == null) {
                continue;
            }
            BigDecimal ownCounted = own == null ? BigDecimal.ZERO : own.counted()[k];
            BigDecimal base = ownCounted.max(used[k]);
            if (need == null) {
                current[k] = base; // a return: down to what the edge used
                continue;
            }
            current[k] = own != null && own.active(now) ? own.granted()[k].max(base) : base;
            BigDecimal others = BigDecimal.ZERO;
            for (Held h : held) {
                if (!h.edgeId().equals(edgeId) && h.active(now)) {
                    others = others.add(h.granted()[k].subtract(h.counted()[k]).max(BigDecimal.ZERO));
                }
            }
            // the most this edge may hold in all, less what it holds: room nobody holds
            BigDecimal mostHeld = ownCounted.add(limit[k]).subtract(counted[k]).subtract(others);
            free[k] = mostHeld.subtract(current[k]);
            if (free[k].compareTo(need[k]) < 0) {
                fits = false;
            }
        }
        BigDecimal[] granted = new BigDecimal[3];
        for (int k = 0; k < 3; k++) {
            if (limit[k] == null) {
                continue;
            }
            if (need == null || !fits) {
                granted[k] = current[k];
            } else {
                BigDecimal share = free[k].divide(BigDecimal.valueOf(2 * active), 12, RoundingMode.DOWN);
                if (k < 2) {
                    share = share.setScale(0, RoundingMode.CEILING);
                }
                granted[k] = current[k].add(need[k].max(share).min(free[k]));
            }
        }
        return new Outcome(granted, need != null && !fits);
    }

    /** Requests, tokens and cost an edge names, as numbers: none, or less than none, is zero. */
    static BigDecimal[] of(Amount amount) {
        if (amount == null) {
            return new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
        }
        return new BigDecimal[] {
            amount.requests() == null ? BigDecimal.ZERO : BigDecimal.valueOf(Math.max(0, amount.requests())),
            amount.tokens() == null ? BigDecimal.ZERO : BigDecimal.valueOf(Math.max(0, amount.tokens())),
            amount.costUsd() == null ? BigDecimal.ZERO : amount.costUsd().max(BigDecimal.ZERO)
        };
    }

    /** An amount from numbers, null where unlimited. */
    static Amount amount(BigDecimal[] values) {
        return new Amount(
                values[0] == null ? null : values[0].longValueExact(),
                values[1] == null ? null : values[1].longValueExact(),
                values[2]);
    }
}
