package dev.symbolon.edge.provider;

import dev.symbolon.contracts.ProviderCatalogue;
import dev.symbolon.edge.EdgeProperties;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * What a key the tenant does not own alone may reach. The operator's server key and a managed key
 * serve a provider's inference endpoints only (create a completion, a response, an embedding, an
 * image, speech or a transcription; count tokens; list models) unless configuration grants more:
 * files, batches, fine-tuning, stored completions or responses, vector stores and the like hold data
 * of every tenant sharing the operator's organization, and answer for it. A managed key's tenant may
 * widen its own key's reach with an endpoint allow-list in its policy; account administration
 * ({@code /organization/**}, {@code /organizations/**}) is never reached with a server key, whatever
 * is configured. Split keys are the tenant's alone: only its policy limits them.
 *
 * <p>Entries are {@code METHOD /path}; a segment {@code *} matches any one segment and {@code *:verb}
 * one ending in {@code :verb} (Gemini's {@code models/{model}:generateContent}).
 */
@Component
public class SharedKeyEndpoints {

    /** Each dialect's inference endpoints ({@link Dialect#inferenceEndpoints}). */
    private final Map<Dialect, List<Entry>> byDialect = new HashMap<>();

    /** Providers the operator granted more than their dialect's endpoints. */
    private final Map<String, List<Entry>> allowed = new HashMap<>();

    public SharedKeyEndpoints(EdgeProperties properties) {
        for (Dialect dialect : Dialect.ALL) {
            byDialect.put(dialect, parse(dialect.inferenceEndpoints()));
        }
        properties.sharedKeyEndpoints().forEach((provider, extra) -> {
            List<Entry> entries = new java.util.ArrayList<>(byDialect.getOrDefault(family(provider), List.of()));
            entries.addAll(parse(extra));
            allowed.put(provider, List.copyOf(entries));
        });
    }

    /**
     * Whether a shared key may serve this call: a server key ({@code managed} false) or a managed key
     * whose tenant's policy names no endpoints of its own.
     */
    public boolean allows(String provider, HttpMethod method, String endpoint, boolean managed) {
        if (!managed && accountAdministration(endpoint)) {
            return false;
        }
        List<Entry> entries = allowed.get(provider);
        if (entries == null) {
            entries = byDialect.getOrDefault(family(provider), List.of());
        }
        String[] segments = segments(endpoint);
        for (Entry entry : entries) {
            if (entry.matches(method, segments)) {
                return true;
            }
        }
        return false;
    }

    /** Endpoints of the provider's account itself: members, keys, billing, projects. */
    static boolean accountAdministration(String endpoint) {
        return endpoint.equals("/organization")
                || endpoint.startsWith("/organization/")
                || endpoint.equals("/organizations")
                || endpoint.startsWith("/organizations/");
    }

    /** The dialect of each catalogue provider, by name, read once (not per request). */
    private static final Map<String, Dialect> DIALECTS = ProviderCatalogue.ALL.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(
                    ProviderCatalogue.Entry::name, e -> Dialect.of(e.dialect())));

    /** The dialect a provider speaks ({@code compat:<name>} and unknown names: OpenAI's). */
    private static Dialect family(String provider) {
        return DIALECTS.getOrDefault(provider, Dialect.OPENAI);
    }

    private static List<Entry> parse(List<String> entries) {
        return entries.stream().map(Entry::parse).toList();
    }

    private static String[] segments(String path) {
        return path.startsWith("/") ? path.substring(1).split("/", -1) : path.split("/", -1);
    }

    private record Entry(HttpMethod method, String[] segments) {
        static Entry parse(String entry) {
            int space = entry.indexOf(' ');
            if (space < 0 || !entry.startsWith("/", space + 1)) {
                throw new IllegalArgumentException(
                        "symbolon.edge.shared-key-endpoints: '" + entry + "' is not 'METHOD /path'");
            }
            return new Entry(
                    HttpMethod.valueOf(entry.substring(0, space).trim()),
                    SharedKeyEndpoints.segments(entry.substring(space + 1)));
        }

        boolean matches(HttpMethod requested, String[] path) {
            if (!method.equals(requested) || path.length != segments.length) {
                return false;
            }
            for (int i = 0; i < path.length; i++) {
                String pattern = segments[i];
                if (pattern.equals("*")) {
                    if (path[i].isEmpty()) {
                        return false;
                    }
                } else if (pattern.startsWith("*:")) {
                    String verb = pattern.substring(1);
                    if (!path[i].endsWith(verb)
                            || path[i].length() == verb.length()
                            || path[i].indexOf(':') != path[i].length() - verb.length()) {
                        return false;
                    }
                } else if (!pattern.equals(path[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
