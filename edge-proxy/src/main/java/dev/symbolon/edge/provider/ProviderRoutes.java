package dev.symbolon.edge.provider;

import dev.symbolon.contracts.ProviderCatalogue;
import dev.symbolon.edge.EdgeProperties;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Maps the edge's provider-native paths to upstreams, so official SDKs work by changing only their
 * base URL: {@code /openai/v1/**}, {@code /anthropic/v1/**}, {@code /gemini/v1beta/**} and {@code
 * /gemini/v1/**} (the two API versions Google's SDKs call), {@code /groq/openai/v1/**}, {@code
 * /mistral/v1/**} and {@code /compat/{name}/v1/**}.
 */
@Component
public class ProviderRoutes {

    /**
     * Gemini's stable API version: the same provider (keys, policy, metering say {@code gemini}) at
     * the sibling base URL, {@code …/v1} beside {@code …/v1beta}.
     */
    private static final String GEMINI_V1 = "gemini@v1";

    /** The providers of the catalogue, at their default base URLs. */
    private static final Map<String, Provider> BUILT_IN = ProviderCatalogue.ALL.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(
                    ProviderCatalogue.Entry::name,
                    e -> new Provider(e.name(), URI.create(e.baseUrl()), Dialect.of(e.dialect()))));

    /** Path prefix to provider: each catalogue entry's, and Gemini's stable API beside its beta. */
    private static final Map<String, String> PREFIXES = prefixes();

    private static Map<String, String> prefixes() {
        Map<String, String> prefixes = new LinkedHashMap<>();
        ProviderCatalogue.ALL.forEach(e -> prefixes.put(e.routePrefix(), e.name()));
        prefixes.put("/gemini/v1", GEMINI_V1);
        return Map.copyOf(prefixes);
    }

    private static final String COMPAT = "/compat/";

    /**
     * Whether a path belongs to the provider routes (then nothing else on the edge answers it), so
     * the router sends proxy traffic straight to the pipeline without trying every other route first.
     */
    public static boolean claims(String rawPath) {
        if (rawPath.startsWith(COMPAT)) {
            return true;
        }
        for (String prefix : PREFIXES.keySet()) {
            if (rawPath.startsWith(prefix) && rawPath.startsWith("/", prefix.length())) {
                return true;
            }
        }
        return false;
    }

    /** The pattern of {@link #patterns()} a claimed path matches (a trace's route); null if none. */
    public static String pattern(String rawPath) {
        if (rawPath.startsWith(COMPAT)) {
            return COMPAT + "{name}/v1/**";
        }
        for (String prefix : PREFIXES.keySet()) {
            if (rawPath.startsWith(prefix) && rawPath.startsWith("/", prefix.length())) {
                return prefix + "/**";
            }
        }
        return null;
    }

    /**
     * The path patterns {@link #claims} answers to, for whoever must list every route (the router's
     * visitors, the hostile route walk of the tests).
     */
    public static java.util.List<String> patterns() {
        java.util.List<String> patterns = new java.util.ArrayList<>();
        PREFIXES.keySet().stream().sorted().forEach(prefix -> patterns.add(prefix + "/**"));
        patterns.add(COMPAT + "{name}/v1/**");
        return patterns;
    }

    private final Map<String, Provider> providers;

    public ProviderRoutes(EdgeProperties properties) {
        Map<String, Provider> all = new LinkedHashMap<>(BUILT_IN);
        properties.providers().forEach((name, upstream) -> {
            Provider builtIn = BUILT_IN.get(name);
            if (builtIn == null) {
                throw new IllegalArgumentException("symbolon.edge.providers." + name
                        + ": unknown provider; OpenAI-compatible upstreams go under symbolon.edge.compat");
            }
            all.put(name, new Provider(name, trimmed(upstream.baseUrl()), builtIn.dialect()));
        });
        Provider gemini = all.get("gemini");
        all.put(GEMINI_V1, new Provider("gemini", stableVersion(gemini.baseUrl()), gemini.dialect()));
        properties
                .compat()
                .forEach((name, upstream) -> all.put(
                        "compat:" + name, new Provider("compat:" + name, trimmed(upstream.baseUrl()), Dialect.OPENAI)));
        this.providers = Map.copyOf(all);
    }

    /**
     * The route of a raw (still percent-encoded) request path, or empty when no provider serves it.
     * The path is canonical (service-support's {@code CanonicalPathFilter} refused any other).
     */
    public Optional<Route> resolve(String rawPath) {
        if (rawPath.startsWith(COMPAT)) {
            int nameEnd = rawPath.indexOf('/', COMPAT.length());
            if (nameEnd < 0) {
                return Optional.empty();
            }
            String name = rawPath.substring(COMPAT.length(), nameEnd);
            return route("compat:" + name, rawPath.substring(nameEnd), "/v1");
        }
        for (Map.Entry<String, String> prefix : PREFIXES.entrySet()) {
            if (rawPath.startsWith(prefix.getKey() + "/")) {
                return route(prefix.getValue(), rawPath, prefix.getKey());
            }
        }
        return Optional.empty();
    }

    private Optional<Route> route(String providerName, String path, String prefix) {
        Provider provider = providers.get(providerName);
        if (provider == null || !path.startsWith(prefix + "/") || path.length() == prefix.length() + 1) {
            return Optional.empty();
        }
        return Optional.of(new Route(provider, path.substring(prefix.length())));
    }

    /**
     * The same endpoint at another provider (a fallback target), when the edge knows that provider
     * and it speaks the same dialect; else empty.
     */
    public Optional<Route> sameEndpointAt(String providerName, Route from) {
        Provider provider = GEMINI_V1.equals(providerName) ? null : providers.get(providerName);
        if (provider == null || provider.dialect() != from.provider().dialect()) {
            return Optional.empty();
        }
        return Optional.of(new Route(provider, from.endpoint()));
    }

    /** {@code …/v1beta} → {@code …/v1}; a base URL without the beta suffix serves both. */
    private static URI stableVersion(URI betaBase) {
        String url = betaBase.toString();
        return url.endsWith("/v1beta") ? URI.create(url.substring(0, url.length() - "beta".length())) : betaBase;
    }

    private static URI trimmed(URI baseUrl) {
        String url = baseUrl.toString();
        return url.endsWith("/") ? URI.create(url.substring(0, url.length() - 1)) : baseUrl;
    }

    /**
     * A request's provider and the path to call below the provider's base URL.
     *
     * @param endpoint raw path below the base URL, e.g. {@code /chat/completions}
     */
    public record Route(Provider provider, String endpoint) {}
}
