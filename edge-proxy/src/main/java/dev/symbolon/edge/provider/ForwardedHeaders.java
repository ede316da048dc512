package dev.symbolon.edge.provider;

import java.util.Locale;
import java.util.Set;

/**
 * Which client headers reach a provider: an allow-list per provider dialect, of what its official SDKs
 * legitimately send (content negotiation, API versions and betas, idempotency keys, SDK telemetry).
 * Everything else stays at the edge: credentials, hop-by-hop and forwarding headers, internal or
 * tenant-looking headers, method overrides, and names spelled with underscores. Headers that choose
 * whom a provider bills ({@code OpenAI-Organization}, {@code OpenAI-Project}) pass only with a key the
 * tenant owns; with the operator's key they would bill another organization or project it can reach.
 */
final class ForwardedHeaders {

    private static final Set<String> COMMON = Set.of("content-type", "accept", "user-agent", "idempotency-key");

    /** The Stainless-generated SDKs (OpenAI, Anthropic, Groq) describe themselves with these. */
    private static final String STAINLESS = "x-stainless-";

    /**
     * Whether a client header of this name goes to a provider of this dialect: the common ones, and
     * the dialect's own ({@link Dialect#forwards}).
     */
    public static boolean forwarded(Dialect dialect, boolean tenantOwnedKey, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return COMMON.contains(lower) || dialect.forwards(lower, tenantOwnedKey);
    }

    /** A Stainless SDK's telemetry header ({@code x-stainless-<lowercase words>}). */
    static boolean stainless(String lower) {
        if (!lower.startsWith(STAINLESS) || lower.length() == STAINLESS.length()) {
            return false;
        }
        for (int i = STAINLESS.length(); i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private ForwardedHeaders() {}
}
