package dev.symbolon.analytics.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * A list price: USD per million tokens for input, cached input and output, from {@code effectiveFrom}.
 * Money is {@link BigDecimal} throughout; no {@code double} touches it.
 */
public record Price(
        String provider,
        String model,
        Instant effectiveFrom,
        BigDecimal inputPerMtok,
        BigDecimal cachedInputPerMtok,
        BigDecimal outputPerMtok) {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** Scale of stored costs: 12 decimal places, far below a micro-dollar. */
    public static final int COST_SCALE = 12;

    /**
     * The exact cost of one request. Cached input tokens are part of the input count (as providers
     * report them) and are charged at the cached price instead of the input price.
     */
    public BigDecimal cost(long inputTokens, long cachedInputTokens, long outputTokens) {
        long cached = Math.min(Math.max(cachedInputTokens, 0), Math.max(inputTokens, 0));
        long uncached = Math.max(inputTokens, 0) - cached;
        BigDecimal microTokens = inputPerMtok
                .multiply(BigDecimal.valueOf(uncached))
                .add(cachedInputPerMtok.multiply(BigDecimal.valueOf(cached)))
                .add(outputPerMtok.multiply(BigDecimal.valueOf(Math.max(outputTokens, 0))));
        return microTokens.divide(MILLION, COST_SCALE, RoundingMode.UNNECESSARY);
    }

    /** Whether this price applies to a model name: the same name, or a prefix of it. */
    boolean matches(String candidate) {
        return candidate != null && candidate.startsWith(model);
    }
}
