package dev.symbolon.edge.usage;

/** Tokens one response consumed, as the provider reported them. */
record TokenUsage(long input, long output, long cachedInput) {

    static final TokenUsage NONE = new TokenUsage(0, 0, 0);

    /**
     * Combines two reports of the same response. Streams report in parts (Anthropic sends input
     * tokens in {@code message_start}, output in {@code message_delta}); a later non-zero count
     * replaces an earlier one, since providers report cumulative totals.
     */
    TokenUsage merge(TokenUsage later) {
        return new TokenUsage(
                later.input != 0 ? later.input : input,
                later.output != 0 ? later.output : output,
                later.cachedInput != 0 ? later.cachedInput : cachedInput);
    }
}
