package dev.symbolon.edge.usage;

import dev.symbolon.contracts.Tokens;
import dev.symbolon.edge.provider.Dialect;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads token usage from a provider's JSON in its dialect's wire shape ({@link Dialect#usage}), and
 * combines a stream's partial reports.
 */
final class UsageParser {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Optional<Tokens> parse(Dialect dialect, byte[] json, int offset, int length) {
        JsonNode root;
        try {
            root = JSON.readTree(json, offset, length);
        } catch (JacksonException e) {
            return Optional.empty();
        }
        return dialect.usage(root);
    }

    /**
     * Combines two reports of the same response. Streams report in parts (Anthropic sends input
     * tokens in {@code message_start}, output in {@code message_delta}); a later non-zero count
     * replaces an earlier one, since providers report cumulative totals.
     */
    static Tokens merge(Tokens earlier, Tokens later) {
        return new Tokens(
                later(earlier.input(), later.input()),
                later(earlier.cachedInput(), later.cachedInput()),
                later(earlier.cacheWrite5m(), later.cacheWrite5m()),
                later(earlier.cacheWrite1h(), later.cacheWrite1h()),
                later(earlier.output(), later.output()),
                later(earlier.reasoning(), later.reasoning()),
                later(earlier.audioInput(), later.audioInput()),
                later(earlier.audioOutput(), later.audioOutput()));
    }

    private static long later(long earlier, long later) {
        return later != 0 ? later : earlier;
    }

    private UsageParser() {}
}
