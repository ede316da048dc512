package dev.symbolon.edge.provider;

import dev.symbolon.support.auth.BearerToken;
import java.util.Set;
import org.springframework.http.HttpHeaders;

/**
 * Where a client presents its Symbolon credential: wherever its provider's own SDK puts an API key,
 * so the SDK works unchanged ({@link Dialect#credential}). Every one of these places is stripped
 * before forwarding.
 */
public final class ClientCredentials {

    /** Request headers that may carry a client credential or key part; never forwarded. */
    public static final Set<String> HEADERS =
            Set.of("authorization", "x-api-key", "x-goog-api-key", "api-key", "x-partial-key", "x-partial-key-id");

    /** Query parameter Google's SDKs may use for the key; never forwarded. */
    public static final String GOOGLE_QUERY_KEY = "key";

    /** The credential of {@code Authorization: Bearer} (service-support's one reading); null when none. */
    public static String bearer(HttpHeaders headers) {
        return BearerToken.from(headers);
    }

    static String firstNonBlank(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private ClientCredentials() {}
}
