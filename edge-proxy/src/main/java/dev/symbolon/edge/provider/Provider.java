package dev.symbolon.edge.provider;

import dev.symbolon.contracts.ProviderCatalogue;
import java.net.URI;

/**
 * An upstream the edge forwards to.
 *
 * @param name {@code openai}, {@code anthropic}, {@code gemini}, {@code groq}, {@code mistral}, or
 *     {@code compat:<name>} for an operator-configured OpenAI-compatible upstream
 * @param baseUrl from configuration only, never from a request
 * @param auth how the provider expects its key
 */
public record Provider(String name, URI baseUrl, AuthStyle auth) {

    /** How a provider takes its API key, and which header its own SDK sends a key in. */
    public enum AuthStyle {
        /** {@code Authorization: Bearer <key>} (OpenAI and compatibles, Groq, Mistral). */
        BEARER,
        /** {@code x-api-key: <key>} plus {@code anthropic-version}. */
        ANTHROPIC,
        /** {@code x-goog-api-key: <key>} (SDKs may also send {@code ?key=}). */
        GOOGLE;

        /** How a family of the provider catalogue takes its key. */
        public static AuthStyle of(ProviderCatalogue.Dialect dialect) {
            return switch (dialect) {
                case ANTHROPIC -> ANTHROPIC;
                case GEMINI -> GOOGLE;
                case OPENAI, MISTRAL -> BEARER;
            };
        }
    }
}
