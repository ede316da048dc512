package dev.symbolon.edge.provider;

import dev.symbolon.contracts.ProviderCatalogue;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How one provider family speaks, everything the edge must know of it in one place: where its SDKs
 * put an API key (so the client's SDK works unchanged with a Symbolon credential), how the real key
 * is injected, which of its SDKs' headers go upstream, its usage wire shape, whether the edge must
 * ask for a stream's usage, where a request's output limit goes, the model named in the path, and
 * the endpoints a shared key may serve. One instance per family of the provider catalogue
 * ({@link #of}); adding a family is one subclass and one catalogue entry.
 */
public abstract class Dialect {

    /** OpenAI's API and every OpenAI-compatible upstream (Groq, DeepSeek, {@code compat:<name>}). */
    public static final Dialect OPENAI = new OpenAiDialect();

    /** Anthropic Messages. */
    public static final Dialect ANTHROPIC = new AnthropicDialect();

    /** Google's Gemini API. */
    public static final Dialect GEMINI = new GeminiDialect();

    /** Mistral's API: OpenAI's wire shape, endpoints of its own. */
    public static final Dialect MISTRAL = new MistralDialect();

    /** Every dialect, one per provider-catalogue family. */
    public static final List<Dialect> ALL = List.of(OPENAI, ANTHROPIC, GEMINI, MISTRAL);

    /** The edge's dialect of a provider-catalogue family. */
    public static Dialect of(ProviderCatalogue.Dialect family) {
        return switch (family) {
            case OPENAI -> OPENAI;
            case ANTHROPIC -> ANTHROPIC;
            case GEMINI -> GEMINI;
            case MISTRAL -> MISTRAL;
        };
    }

    private final String name;

    Dialect(String name) {
        this.name = name;
    }

    /** The family's name in the provider catalogue ({@code openai}, {@code anthropic}, …). */
    public final String name() {
        return name;
    }

    /** The Symbolon credential a client presented wherever this family's SDKs put a key; null when none. */
    public abstract String credential(HttpHeaders headers, MultiValueMap<String, String> query);

    /** Puts the real key where this family's API reads it. */
    public abstract void injectKey(Secret apiKey, HttpHeaders headers);

    /**
     * Whether a client header (lower-case name) this family's SDKs send goes upstream, beyond the
     * headers every family gets ({@link ForwardedHeaders}).
     *
     * @param tenantOwnedKey whether the key is the tenant's own (headers that choose whom the provider
     *     bills pass only then)
     */
    abstract boolean forwards(String lowerName, boolean tenantOwnedKey);

    /** Whether the family's SDKs may put the key in the query ({@code ?key=}), which is then never sent on. */
    public boolean keyInQuery() {
        return false;
    }

    /** Token usage in a response body or stream event of this family, into every token class it bills. */
    public abstract Optional<Tokens> usage(JsonNode root);

    /**
     * Whether the edge asks for a stream's usage on the client's behalf ({@link StreamUsage}): only
     * where the API reports it only when asked.
     */
    public boolean asksStreamUsage(Provider provider, String endpoint) {
        return false;
    }

    /**
     * Appends the text one stream event of this family delivers (a JSON object): what a stream that
     * ends without its usage is charged for.
     */
    public abstract void deliveredText(JsonNode event, StringBuilder text);

    /** Whether a request streams its answer. */
    public boolean streams(JsonNode request, String endpoint) {
        return request.path("stream").asBoolean(false);
    }

    /** The model a path names ({@code /models/{model}:verb}); null for families that name it in the body. */
    public String pathModel(String endpoint) {
        return null;
    }

    /** Sets the output limit of a request whose body sets none, in the field this family and endpoint read. */
    public abstract void putOutputCap(ObjectNode request, Provider provider, String endpoint, long cap);

    /**
     * How long a provider of this family that answered 429 asks to be left alone, from the answer's
     * headers ({@code retry-after} for every family); null when it does not say.
     */
    public Duration rateLimitReset(HttpHeaders headers, Instant now) {
        return RateLimitHeaders.retryAfter(headers, now);
    }

    /**
     * The family's inference endpoints, {@code METHOD /path}: what a key the tenant does not own alone
     * may reach unless configuration grants more ({@link SharedKeyEndpoints}).
     */
    abstract List<String> inferenceEndpoints();

    @Override
    public String toString() {
        return name;
    }
}
