package dev.symbolon.edge.provider;

import java.util.Locale;
import java.util.Set;

/**
 * Which client headers reach a provider: an allow-list per provider family, of what its official SDKs
 * legitimately send (content negotiation, API versions and betas, idempotency keys, SDK telemetry).
 * Everything else stays at the edge: credentials, hop-by-hop and forwarding headers, internal or
 * tenant-looking headers, method overrides, and names spelled with underscores. Headers that choose
 * whom a provider bills ({@code OpenAI-Organization}, {@code OpenAI-Project}) pass only with a key the
 * tenant owns; with the operator's key they would bill another organization or project it can reach.
 */
public final class ForwardedHeaders {

    private static final Set<String> COMMON = Set.of("content-type", "accept", "user-agent", "idempotency-key");

    /** The Stainless-generated SDKs (OpenAI, Anthropic, Groq) describe themselves with these. */
    private static final String STAINLESS = "x-stainless-";

    private static final Set<String> OPENAI = Set.of("openai-beta", "x-client-request-id");
    private static final Set<String> OPENAI_BILLING = Set.of("openai-organization", "openai-project");
    private static final Set<String> ANTHROPIC =
            Set.of("anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access");
    private static final Set<String> GOOGLE = Set.of("x-goog-api-client", "x-server-timeout");

    /** Whether a client header of this name goes to a provider of this family. */
    public static boolean forwarded(Provider.AuthStyle family, boolean tenantOwnedKey, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (COMMON.contains(lower)) {
            return true;
        }
        return switch (family) {
            case BEARER ->
                OPENAI.contains(lower) || stainless(lower) || (tenantOwnedKey && OPENAI_BILLING.contains(lower));
            case ANTHROPIC -> ANTHROPIC.contains(lower) || stainless(lower);
            case GOOGLE -> GOOGLE.contains(lower);
        };
    }

    private static boolean stainless(String lower) {
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
