package dev.symbolon.edge.provider;

import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.Tokens;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Google's Gemini API: {@code x-goog-api-key} (its SDKs may also send {@code ?key=}), {@code
 * usageMetadata}, the model and the verb in the path ({@code models/{model}:streamGenerateContent}
 * streams), {@code generationConfig.maxOutputTokens}.
 */
final class GeminiDialect extends Dialect {

    private static final Set<String> HEADERS = Set.of("x-goog-api-client", "x-server-timeout");

    private static final List<String> INFERENCE = List.of(
            "GET /models",
            "GET /models/*",
            "POST /models/*:generateContent",
            "POST /models/*:streamGenerateContent",
            "POST /models/*:countTokens",
            "POST /models/*:embedContent",
            "POST /models/*:batchEmbedContents",
            "POST /models/*:predict");

    GeminiDialect() {
        super("gemini");
    }

    @Override
    public String credential(HttpHeaders headers, MultiValueMap<String, String> query) {
        return ClientCredentials.firstNonBlank(
                headers.getFirst("x-goog-api-key"),
                query.getFirst(ClientCredentials.GOOGLE_QUERY_KEY),
                ClientCredentials.bearer(headers));
    }

    @Override
    public void injectKey(Secret apiKey, HttpHeaders headers) {
        headers.set("x-goog-api-key", apiKey.reveal());
    }

    @Override
    boolean forwards(String lowerName, boolean tenantOwnedKey) {
        return HEADERS.contains(lowerName);
    }

    @Override
    public boolean keyInQuery() {
        return true;
    }

    /** {@code usageMetadata}; Gemini's OpenAI-compatible endpoint answers in OpenAI's shape. */
    @Override
    public Optional<Tokens> usage(JsonNode root) {
        return UsageShapes.gemini(root);
    }

    /** {@code streamGenerateContent} chunks; its OpenAI-compatible endpoint streams in OpenAI's shape. */
    @Override
    public void deliveredText(JsonNode event, StringBuilder text) {
        StreamText.gemini(event, text);
        StreamText.chat(event, text);
    }

    @Override
    public boolean streams(JsonNode request, String endpoint) {
        return super.streams(request, endpoint) || endpoint.contains(":streamGenerateContent");
    }

    /** The model of {@code /models/{model}} or {@code /models/{model}:verb}. */
    @Override
    public String pathModel(String endpoint) {
        if (!endpoint.startsWith("/models/")) {
            return null;
        }
        String segment = endpoint.substring("/models/".length());
        int slash = segment.indexOf('/');
        if (slash >= 0) {
            segment = segment.substring(0, slash);
        }
        int colon = segment.indexOf(':');
        String model = colon >= 0 ? segment.substring(0, colon) : segment;
        return model.isEmpty() ? null : model;
    }

    @Override
    public void putOutputCap(ObjectNode request, Provider provider, String endpoint, long cap) {
        JsonNode config = request.get("generationConfig");
        ObjectNode generation = config instanceof ObjectNode o ? o : request.putObject("generationConfig");
        generation.put("maxOutputTokens", cap);
    }

    @Override
    List<String> inferenceEndpoints() {
        return INFERENCE;
    }
}
