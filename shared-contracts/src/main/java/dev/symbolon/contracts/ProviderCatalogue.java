package dev.symbolon.contracts;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The provider families the gateway knows, one entry each: adding a provider is one entry here (plus
 * its prices in {@code prices/catalogue.json}). The edge builds its routes from it, admin-api and
 * key-vault-service validate provider names against it, key-vault-service reads each one's server key
 * from its environment variable. {@code compat:<name>} names an operator-configured OpenAI-compatible
 * upstream that no entry lists.
 */
public final class ProviderCatalogue {

    /** How a family speaks: where its SDK puts the key, its usage wire shape, its inference endpoints. */
    public enum Dialect {
        /** OpenAI's API and its compatibles: Bearer key, {@code usage.prompt_tokens}, OpenAI's endpoints. */
        OPENAI,
        /** Anthropic Messages: {@code x-api-key}, {@code usage.input_tokens} plus cache reads and writes. */
        ANTHROPIC,
        /** Google's Gemini API: {@code x-goog-api-key}, {@code usageMetadata}, {@code models/*:verb}. */
        GEMINI,
        /** Mistral's API: OpenAI's shape with endpoints of its own (FIM, OCR). */
        MISTRAL
    }

    /**
     * One provider.
     *
     * @param baseUrl the provider's API base, which configuration may override
     * @param routePrefix where the edge serves it ({@code /<name>/…}, as the provider's SDK's base URL)
     * @param serverKeyEnv the environment variable key-vault-service reads the operator's key from
     * @param seedEndpoints what the edge's seed clients may call ({@code GET /api/endpoints})
     */
    public record Entry(
            String name,
            Dialect dialect,
            String baseUrl,
            String routePrefix,
            String serverKeyEnv,
            List<String> seedEndpoints) {}

    public static final List<Entry> ALL = List.of(
            new Entry(
                    "openai",
                    Dialect.OPENAI,
                    "https://api.openai.com/v1",
                    "/openai/v1",
                    "OPENAI_API_KEY",
                    List.of(
                            "/chat/completions",
                            "/responses",
                            "/embeddings",
                            "/models",
                            "/images/generations",
                            "/audio/speech",
                            "/audio/transcriptions",
                            "/moderations")),
            new Entry(
                    "anthropic",
                    Dialect.ANTHROPIC,
                    "https://api.anthropic.com/v1",
                    "/anthropic/v1",
                    "ANTHROPIC_API_KEY",
                    List.of("/messages", "/messages/count_tokens", "/models")),
            new Entry(
                    "gemini",
                    Dialect.GEMINI,
                    "https://generativelanguage.googleapis.com/v1beta",
                    "/gemini/v1beta",
                    "GEMINI_API_KEY",
                    List.of("/models")),
            new Entry(
                    "groq",
                    Dialect.OPENAI,
                    "https://api.groq.com/openai/v1",
                    "/groq/openai/v1",
                    "GROQ_API_KEY",
                    List.of("/chat/completions", "/models", "/audio/transcriptions")),
            new Entry(
                    "mistral",
                    Dialect.MISTRAL,
                    "https://api.mistral.ai/v1",
                    "/mistral/v1",
                    "MISTRAL_API_KEY",
                    List.of("/chat/completions", "/embeddings", "/models")),
            new Entry(
                    "deepseek",
                    Dialect.OPENAI,
                    "https://api.deepseek.com/v1",
                    "/deepseek/v1",
                    "DEEPSEEK_API_KEY",
                    List.of("/chat/completions", "/models")));

    /** The name of an operator-configured OpenAI-compatible upstream: {@code compat:<name>}. */
    private static final Pattern COMPAT = Pattern.compile("compat:[a-z0-9][a-z0-9-]{0,62}");

    private ProviderCatalogue() {}

    public static Optional<Entry> named(String name) {
        return ALL.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Whether a name is a provider: a catalogue entry's, or {@code compat:<name>}. */
    public static boolean isProvider(String name) {
        return name != null && (named(name).isPresent() || COMPAT.matcher(name).matches());
    }

    /** The provider names for a message: "openai, anthropic, … or compat:<name>". */
    public static String namesForMessage() {
        return String.join(", ", ALL.stream().map(Entry::name).toList()) + " or compat:<name>";
    }
}
