package dev.symbolon.support.auth;

import org.springframework.http.HttpHeaders;

/** The one reading of {@code Authorization: Bearer <token>} (scheme case-insensitive, RFC 6750). */
public final class BearerToken {

    private static final String BEARER = "Bearer ";

    /** The token of a bearer {@code Authorization} header, or {@code null} when there is none. */
    public static String from(HttpHeaders headers) {
        return from(headers.getFirst(HttpHeaders.AUTHORIZATION));
    }

    public static String from(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }

    private BearerToken() {}
}
