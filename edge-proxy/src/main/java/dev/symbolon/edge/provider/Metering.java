package dev.symbolon.edge.provider;

import org.springframework.http.HttpMethod;

/**
 * Which calls a provider bills, so that no billed call is recorded as free without saying so. A billed
 * call whose response carries no usage (speech and DALL·E images, priced per character or image; a
 * batch, billed when it runs; a body cut short) is recorded {@code partial}, and analytics flags it
 * unpriced instead of charging it $0. Free calls (reads, deletes, token counting, moderation, file
 * uploads, cancellations) are recorded complete at no cost.
 */
public final class Metering {

    private Metering() {}

    /** Whether the provider bills this call. */
    public static boolean billed(HttpMethod method, String endpoint) {
        if (!HttpMethod.POST.equals(method)) {
            return false; // reads, lists, deletes
        }
        return !(endpoint.endsWith("/count_tokens")
                || endpoint.equals("/responses/input_tokens")
                || endpoint.endsWith(":countTokens")
                || endpoint.endsWith("/moderations")
                || endpoint.equals("/files")
                || endpoint.equals("/uploads")
                || endpoint.startsWith("/uploads/")
                || endpoint.endsWith("/cancel"));
    }
}
