package dev.symbolon.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One proxied request, successful or not ({@code usage-recorded.v1}, key tenantId). The edge
 * publishes exactly one per request, also for refusals, upstream errors and cancelled streams; a
 * request that failed over from one key to another has one more for every attempt it moved on from
 * ({@code failedOver}), each with its own key, status and usage and the same {@code requestId}.
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
 * @param inputTokens the whole prompt as the provider reported it (0 when unknown), cache reads, cache
 *     writes and audio included whatever the provider's own field means (see {@link Tokens})
 * @param outputTokens the whole completion (0 when unknown), reasoning and audio included
 * @param cachedInputTokens the part of inputTokens read from the provider's prompt cache
 * @param streamed whether the response was a stream
 * @param partial true when usage is incomplete (cancelled or cut stream, no usage reported)
 * @param latencyMs total time from request received to response completed
 * @param overheadMs time the gateway itself spent, excluding the upstream call
 * @param requestId the {@code x-request-id} returned to the client
 * @param cacheWrite5mTokens the part of inputTokens written to the prompt cache for 5 minutes
 * @param cacheWrite1hTokens the part of inputTokens written to the prompt cache for 1 hour
 * @param reasoningTokens the part of outputTokens spent thinking (informational: priced as output)
 * @param audioInputTokens the part of inputTokens that was audio
 * @param audioOutputTokens the part of outputTokens that was audio
 * @param estimated true when the token counts are the edge's own count, not the provider's report
 *     (a stream cut or cancelled before its usage arrived: the delivered text, tokenized)
 * @param attempt which provider call of the client request this is, 1 for the first; 0 when the request
 *     reached no provider (or the event predates attempts)
 * @param failedOver true when the edge moved on from this attempt to another key (its answer, a 429, a
 *     5xx, a timeout, never reached the client): its usage and cost count, the client request does not
 *     (the attempt that answered the client counts it)
 * @param edgeId the edge instance that admitted the request, whose quota allowance it was admitted
 *     against ({@link Allowance}); null from edges that predate allowances
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
        String requestId,
        long cacheWrite5mTokens,
        long cacheWrite1hTokens,
        long reasoningTokens,
        long audioInputTokens,
        long audioOutputTokens,
        boolean estimated,
        int attempt,
        boolean failedOver,
        String edgeId)
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
        edgeId = EventText.clean(edgeId, EventText.ID);
    }

    /** An event from before edges named themselves (no allowance counts it). */
    public UsageRecorded(
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
            String requestId,
            long cacheWrite5mTokens,
            long cacheWrite1hTokens,
            long reasoningTokens,
            long audioInputTokens,
            long audioOutputTokens,
            boolean estimated,
            int attempt,
            boolean failedOver) {
        this(
                eventId,
                occurredAt,
                tenantId,
                version,
                appId,
                keyId,
                keyKind,
                provider,
                model,
                endpoint,
                status,
                outcome,
                inputTokens,
                outputTokens,
                cachedInputTokens,
                streamed,
                partial,
                latencyMs,
                overheadMs,
                requestId,
                cacheWrite5mTokens,
                cacheWrite1hTokens,
                reasoningTokens,
                audioInputTokens,
                audioOutputTokens,
                estimated,
                attempt,
                failedOver,
                null);
    }

    /** An event without the token classes added later (they are zero, the counts reported). */
    public UsageRecorded(
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
            String requestId) {
        this(
                eventId,
                occurredAt,
                tenantId,
                version,
                appId,
                keyId,
                keyKind,
                provider,
                model,
                endpoint,
                status,
                outcome,
                inputTokens,
                outputTokens,
                cachedInputTokens,
                streamed,
                partial,
                latencyMs,
                overheadMs,
                requestId,
                0,
                0,
                0,
                0,
                0,
                false,
                0,
                false);
    }

    /** An event without attempts (the first and only call, or none). */
    public UsageRecorded(
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
            String requestId,
            long cacheWrite5mTokens,
            long cacheWrite1hTokens,
            long reasoningTokens,
            long audioInputTokens,
            long audioOutputTokens,
            boolean estimated) {
        this(
                eventId,
                occurredAt,
                tenantId,
                version,
                appId,
                keyId,
                keyKind,
                provider,
                model,
                endpoint,
                status,
                outcome,
                inputTokens,
                outputTokens,
                cachedInputTokens,
                streamed,
                partial,
                latencyMs,
                overheadMs,
                requestId,
                cacheWrite5mTokens,
                cacheWrite1hTokens,
                reasoningTokens,
                audioInputTokens,
                audioOutputTokens,
                estimated,
                0,
                false);
    }

    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /** The request's tokens by class, as pricing reads them. */
    public Tokens tokens() {
        return new Tokens(
                inputTokens,
                cachedInputTokens,
                cacheWrite5mTokens,
                cacheWrite1hTokens,
                outputTokens,
                reasoningTokens,
                audioInputTokens,
                audioOutputTokens);
    }

    /**
     * Whether this request counts toward request, token and cost quotas: everything the gateway let
     * through, whatever the provider then did. The edge's reservations and analytics' quota periods use
     * this same rule.
     */
    public boolean countsTowardQuota() {
        return outcome != Outcome.REFUSED;
    }

    /**
     * Whether this event counts the client request itself (once per request, also in request quotas):
     * every event but an attempt the edge failed over from, whose tokens and cost still count.
     */
    public boolean countsAsRequest() {
        return countsTowardQuota() && !failedOver;
    }

    /**
     * Whether the provider may have billed this request for usage nobody knows: it was served (or the
     * client left while it was) by a billed call, and no token count arrived. Such a request is
     * flagged unpriced, never charged $0.
     */
    public boolean usageUnknown() {
        return partial
                && inputTokens == 0
                && outputTokens == 0
                && (outcome == Outcome.SUCCESS || outcome == Outcome.CANCELLED);
    }

    /** How a request ended. */
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
