package dev.symbolon.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One proxied request, successful or not ({@code usage-recorded.v1}, key tenantId). The edge
 * publishes exactly one per request, also for refusals, upstream errors and cancelled streams.
 *
 * @param appId the calling app
 * @param keyId public id of the provider key used, null when the request never reached key
 *     resolution
 * @param keyKind {@code server}, {@code managed} or {@code split}; null like keyId
 * @param provider route provider, e.g. {@code openai} or {@code compat:demo}
 * @param model model named in the request, null when none
 * @param endpoint normalized upstream path, e.g. {@code /chat/completions}
 * @param status HTTP status returned to the client
 * @param outcome why the request ended the way it did
 * @param inputTokens prompt tokens reported by the provider (0 when unknown)
 * @param outputTokens completion tokens reported by the provider (0 when unknown)
 * @param cachedInputTokens the part of inputTokens served from the provider's prompt cache
 * @param streamed whether the response was a stream
 * @param partial true when usage is incomplete (cancelled or cut stream, no usage reported)
 * @param latencyMs total time from request received to response completed
 * @param overheadMs time the gateway itself spent, excluding the upstream call
 * @param requestId the {@code x-request-id} returned to the client
 */
public record UsageRecorded(
        UUID eventId,
        Instant occurredAt,
        String tenantId,
        int version,
        String appId,
        String keyId,
        String keyKind,
        String provider,
        String model,
        String endpoint,
        int status,
        Outcome outcome,
        long inputTokens,
        long outputTokens,
        long cachedInputTokens,
        boolean streamed,
        boolean partial,
        long latencyMs,
        long overheadMs,
        String requestId)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    public UsageRecorded {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(outcome, "outcome");
        // storable by every consumer, whatever a client put in its request (see EventText)
        tenantId = EventText.clean(tenantId, EventText.ID);
        appId = EventText.clean(appId, EventText.ID);
        keyId = EventText.clean(keyId, EventText.ID);
        keyKind = EventText.clean(keyKind, EventText.NAME);
        provider = EventText.clean(provider, EventText.NAME);
        model = EventText.clean(model, EventText.NAME);
        endpoint = EventText.clean(endpoint, EventText.TEXT);
        requestId = EventText.clean(requestId, EventText.ID);
    }

    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /** How a request ended. */
    /**
     * Whether this request counts toward request, token and cost quotas: everything the gateway let
     * through, whatever the provider then did. The edge's reservations and analytics' quota periods use
     * this same rule.
     */
    public boolean countsTowardQuota() {
        return outcome != Outcome.REFUSED;
    }

    public enum Outcome {
        /** Upstream answered with 2xx. */
        SUCCESS,
        /** Upstream answered with an error status, which was passed through. */
        UPSTREAM_ERROR,
        /** Upstream could not be reached or timed out (502/504). */
        UPSTREAM_UNAVAILABLE,
        /** The gateway refused the request (auth, policy, limit, quota). */
        REFUSED,
        /** The client went away before the response was complete. */
        CANCELLED
    }
}
