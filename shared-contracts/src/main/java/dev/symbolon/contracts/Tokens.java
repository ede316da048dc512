package dev.symbolon.contracts;

/**
 * One request's tokens by the classes providers bill separately. {@code input} and {@code output}
 * are the whole prompt and the whole completion; every other class is a part of one of them, so a
 * consumer that knows only input and output still adds up right.
 *
 * <p>How each provider's usage maps here (the edge's {@code UsageParser} is the one place it is read):
 *
 * <table>
 *   <caption>provider fields per class</caption>
 *   <tr><th>class</th><th>OpenAI Chat / Responses</th><th>Anthropic</th><th>Gemini</th></tr>
 *   <tr><td>input</td><td>{@code prompt_tokens} / {@code input_tokens} (cached included)</td>
 *       <td>{@code input_tokens + cache_read_input_tokens + cache_creation_input_tokens} (its
 *       {@code input_tokens} excludes both)</td><td>{@code promptTokenCount} (cached included)</td></tr>
 *   <tr><td>cachedInput</td><td>{@code prompt_tokens_details.cached_tokens} /
 *       {@code input_tokens_details.cached_tokens}</td><td>{@code cache_read_input_tokens}</td>
 *       <td>{@code cachedContentTokenCount}</td></tr>
 *   <tr><td>cacheWrite5m, cacheWrite1h</td><td>–</td><td>{@code cache_creation.ephemeral_5m_input_tokens},
 *       {@code ephemeral_1h_input_tokens}; without the split, all of {@code cache_creation_input_tokens}
 *       is 5m</td><td>–</td></tr>
 *   <tr><td>output</td><td>{@code completion_tokens} / {@code output_tokens} (reasoning included)</td>
 *       <td>{@code output_tokens}</td><td>{@code candidatesTokenCount + thoughtsTokenCount} (thoughts are
 *       additive there)</td></tr>
 *   <tr><td>reasoning</td><td>{@code *_tokens_details.reasoning_tokens}</td><td>–</td>
 *       <td>{@code thoughtsTokenCount}</td></tr>
 *   <tr><td>audioInput, audioOutput</td><td>{@code prompt_tokens_details.audio_tokens},
 *       {@code completion_tokens_details.audio_tokens}</td><td>–</td>
 *       <td>{@code promptTokensDetails} / {@code candidatesTokensDetails} of modality {@code AUDIO}</td></tr>
 * </table>
 */
public record Tokens(
        long input,
        long cachedInput,
        long cacheWrite5m,
        long cacheWrite1h,
        long output,
        long reasoning,
        long audioInput,
        long audioOutput) {

    public static final Tokens NONE = new Tokens(0, 0, 0, 0, 0, 0, 0, 0);

    /** Only a prompt and a completion, no finer classes. */
    public static Tokens of(long input, long output) {
        return new Tokens(input, 0, 0, 0, output, 0, 0, 0);
    }

    public long total() {
        return input + output;
    }
}
