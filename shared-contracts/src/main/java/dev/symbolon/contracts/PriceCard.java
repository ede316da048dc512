package dev.symbolon.contracts;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Objects;

/**
 * A list price of one model from {@code effectiveFrom}: USD per million tokens for each token class,
 * with an optional long-context tier (Gemini 2.5 Pro, Claude Sonnet with 1M context) that prices the
 * whole request once its prompt is longer than {@code longContextAbove} tokens. The one cost rule:
 * analytics charges with it, the edge reserves and settles with it. Money is {@link BigDecimal}
 * throughout; no {@code double} touches it.
 *
 * @param model the model name, or a prefix of names ({@code gpt-4o-mini} prices
 *     {@code gpt-4o-mini-2024-07-18}); the longest matching prefix wins
 * @param longContextAbove prompt tokens beyond which {@code longContext} applies; null: one tier
 * @param maxOutputTokens the most the model can write in one response, the worst case the edge
 *     reserves when a request names no output cap; null when unknown
 */
public record PriceCard(
        String provider,
        String model,
        Instant effectiveFrom,
        Rates rates,
        Long longContextAbove,
        Rates longContext,
        Long maxOutputTokens) {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** Scale of stored costs: 12 decimal places, far below a micro-dollar. */
    public static final int COST_SCALE = 12;

    public PriceCard {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(rates, "rates");
        if ((longContextAbove == null) != (longContext == null)) {
            throw new IllegalArgumentException("longContextAbove and longContext go together");
        }
    }

    /**
     * USD per million tokens of each class. {@code input} and {@code output} are required; a class
     * left null costs what it falls back to: cached input and cache writes the input price, 1-hour
     * writes the 5-minute write price, audio the input or output price.
     */
    public record Rates(
            BigDecimal input,
            BigDecimal cachedInput,
            BigDecimal cacheWrite5m,
            BigDecimal cacheWrite1h,
            BigDecimal output,
            BigDecimal audioInput,
            BigDecimal audioOutput) {

        public Rates {
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(output, "output");
        }

        public static Rates of(BigDecimal input, BigDecimal cachedInput, BigDecimal output) {
            return new Rates(input, cachedInput, null, null, output, null, null);
        }

        public BigDecimal cachedInputRate() {
            return cachedInput != null ? cachedInput : input;
        }

        public BigDecimal cacheWrite5mRate() {
            return cacheWrite5m != null ? cacheWrite5m : input;
        }

        public BigDecimal cacheWrite1hRate() {
            return cacheWrite1h != null ? cacheWrite1h : cacheWrite5mRate();
        }

        public BigDecimal audioInputRate() {
            return audioInput != null ? audioInput : input;
        }

        public BigDecimal audioOutputRate() {
            return audioOutput != null ? audioOutput : output;
        }

        /** The dearest rate a prompt token can cost (a cache write may cost more than input). */
        BigDecimal dearestInput() {
            return input.max(cachedInputRate())
                    .max(cacheWrite5mRate())
                    .max(cacheWrite1hRate())
                    .max(audioInputRate());
        }

        BigDecimal dearestOutput() {
            return output.max(audioOutputRate());
        }
    }

    /** The rates that apply to a prompt of this many tokens. */
    public Rates ratesFor(long inputTokens) {
        return longContextAbove != null && inputTokens > longContextAbove ? longContext : rates;
    }

    /**
     * The exact cost of one request at 12 decimals. Each class is charged at its own rate; the
     * plain input and output rates cover what remains of input and output once the parts are taken
     * out (parts are clamped so that they never add up to more than the whole).
     */
    public BigDecimal cost(Tokens tokens) {
        long input = Math.max(tokens.input(), 0);
        long cached = clamp(tokens.cachedInput(), input);
        long write5m = clamp(tokens.cacheWrite5m(), input - cached);
        long write1h = clamp(tokens.cacheWrite1h(), input - cached - write5m);
        long audioIn = clamp(tokens.audioInput(), input - cached - write5m - write1h);
        long plainIn = input - cached - write5m - write1h - audioIn;
        long output = Math.max(tokens.output(), 0);
        long audioOut = clamp(tokens.audioOutput(), output);
        Rates r = ratesFor(input);
        BigDecimal microDollars = r.input()
                .multiply(BigDecimal.valueOf(plainIn))
                .add(r.cachedInputRate().multiply(BigDecimal.valueOf(cached)))
                .add(r.cacheWrite5mRate().multiply(BigDecimal.valueOf(write5m)))
                .add(r.cacheWrite1hRate().multiply(BigDecimal.valueOf(write1h)))
                .add(r.audioInputRate().multiply(BigDecimal.valueOf(audioIn)))
                .add(r.output().multiply(BigDecimal.valueOf(output - audioOut)))
                .add(r.audioOutputRate().multiply(BigDecimal.valueOf(audioOut)));
        return microDollars.divide(MILLION, COST_SCALE, RoundingMode.UNNECESSARY);
    }

    /**
     * The most a request of at most this many prompt and output tokens can cost: every prompt token
     * at the dearest prompt rate and every output token at the dearest output rate, in the dearer
     * tier. What the edge reserves against cost quotas.
     */
    public BigDecimal worstCase(long inputTokens, long outputTokens) {
        long in = Math.max(inputTokens, 0);
        long out = Math.max(outputTokens, 0);
        Rates r = ratesFor(in);
        if (longContext != null) {
            // the estimate may be low: charge the dearer tier of the two
            Rates other = r == rates ? longContext : rates;
            if (other.dearestInput().compareTo(r.dearestInput()) > 0
                    || other.dearestOutput().compareTo(r.dearestOutput()) > 0) {
                r = new Rates(
                        r.dearestInput().max(other.dearestInput()),
                        null,
                        null,
                        null,
                        r.dearestOutput().max(other.dearestOutput()),
                        null,
                        null);
            }
        }
        BigDecimal microDollars = r.dearestInput()
                .multiply(BigDecimal.valueOf(in))
                .add(r.dearestOutput().multiply(BigDecimal.valueOf(out)));
        return microDollars.divide(MILLION, COST_SCALE, RoundingMode.UNNECESSARY);
    }

    /**
     * The most output tokens a request of this many prompt tokens may have so that its worst case
     * stays within {@code budget}: -1 when even its prompt alone does not fit.
     */
    public long maxOutputWithin(long inputTokens, BigDecimal budget) {
        BigDecimal left = budget.subtract(worstCase(inputTokens, 0));
        if (left.signum() < 0) {
            return -1;
        }
        BigDecimal perToken = worstCase(inputTokens, 1).subtract(worstCase(inputTokens, 0));
        if (perToken.signum() == 0) {
            return Long.MAX_VALUE;
        }
        BigDecimal tokens = left.divide(perToken, 0, RoundingMode.FLOOR);
        return tokens.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : tokens.longValue();
    }

    /** Whether this price applies to a model name: the same name, or a prefix of it. */
    public boolean matches(String candidate) {
        return candidate != null && candidate.startsWith(model);
    }

    private static long clamp(long part, long room) {
        return Math.max(0, Math.min(part, Math.max(room, 0)));
    }
}
