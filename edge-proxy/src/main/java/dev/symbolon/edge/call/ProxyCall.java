package dev.symbolon.edge.call;

import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.limits.Quotas;
import dev.symbolon.edge.policy.EffectivePolicy;
import dev.symbolon.edge.provider.ProviderRoutes.Route;
import dev.symbolon.edge.routing.Attempts;
import dev.symbolon.edge.routing.KeyPool;
import dev.symbolon.edge.routing.ProviderKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.net.InetAddress;
import java.time.Instant;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.util.MultiValueMap;

/**
 * Everything one request has established so far, immutable: the facts of the request as received,
 * then what each pipeline step added (a step returns a copy). Null fields are steps not reached yet.
 *
 * @param keyRequest which kind of key the request's headers ask for (set when it is authorized)
 * @param key the provider key of the current attempt
 * @param attempts the provider calls made so far: the key pool, the attempt's number, the keys tried
 * @param reservation what the request holds against daily and monthly quotas, null when none apply
 * @param upstreamNanos {@link System#nanoTime()} when the first upstream call started, 0 before
 * @param upstreamSpan the span of the provider call while tracing is on; null before it started or when off
 */
public record ProxyCall(
        Request request,
        Route route,
        AppIdentity identity,
        EffectivePolicy policy,
        KeyRequest keyRequest,
        Payload payload,
        ProviderKey key,
        Attempts attempts,
        Quotas.Reservation reservation,
        long upstreamNanos,
        Span upstreamSpan) {

    /**
     * The request as it arrived; never changes.
     *
     * @param receivedNanos {@link System#nanoTime()} at arrival
     * @param rawPath the path still percent-encoded, exactly as received
     * @param clientAddress the caller's address for IP rules (see {@code ClientAddress})
     * @param trace the request's trace context (its server span) while tracing is on; null when off
     */
    public record Request(
            String requestId,
            Instant receivedAt,
            long receivedNanos,
            HttpMethod method,
            String rawPath,
            String rawQuery,
            MultiValueMap<String, String> query,
            HttpHeaders headers,
            InetAddress clientAddress,
            Context trace) {}

    /**
     * The request body and what the pipeline read from it.
     *
     * @param model the {@code model} named in a JSON body, if any
     * @param stream whether the client asked for a stream ({@code "stream": true})
     * @param usageRequested the edge added {@code stream_options.include_usage} to {@code bytes}, so
     *     the usage-only chunk is the edge's to remove
     * @param promptTokens the prompt's tokens as far as the body tells: a JSON body counted where quotas
     *     apply, else about four bytes a token (reserved against quotas until the provider reports)
     * @param outputCap the output limit the body sets ({@code max_tokens}, {@code max_completion_tokens},
     *     {@code max_output_tokens}, {@code generationConfig.maxOutputTokens}); null when it sets none
     */
    public record Payload(
            byte[] bytes, String model, boolean stream, boolean usageRequested, long promptTokens, Long outputCap) {
        public static final Payload NONE = new Payload(new byte[0], null, false, false, 0, null);

        public Payload withBytes(byte[] bytes, Long outputCap) {
            return new Payload(bytes, model, stream, usageRequested, promptTokens, outputCap);
        }

        /** The same request for another model (a fallback target's), in these bytes. */
        public Payload forModel(String otherModel, byte[] bytes) {
            return new Payload(bytes, otherModel, stream, usageRequested, promptTokens, outputCap);
        }
    }

    public static ProxyCall start(Request request) {
        return new ProxyCall(request, null, null, EffectivePolicy.OPEN, null, Payload.NONE, null, null, null, 0, null);
    }

    public ProxyCall withRoute(Route route) {
        return new ProxyCall(
                request,
                route,
                identity,
                policy,
                keyRequest,
                payload,
                key,
                attempts,
                reservation,
                upstreamNanos,
                upstreamSpan);
    }

    public ProxyCall withIdentity(AppIdentity identity, EffectivePolicy policy) {
        return new ProxyCall(
                request,
                route,
                identity,
                policy,
                keyRequest,
                payload,
                key,
                attempts,
                reservation,
                upstreamNanos,
                upstreamSpan);
    }

    public ProxyCall withKeyRequest(KeyRequest keyRequest) {
        return new ProxyCall(
                request,
                route,
                identity,
                policy,
                keyRequest,
                payload,
                key,
                attempts,
                reservation,
                upstreamNanos,
                upstreamSpan);
    }

    public ProxyCall withPayload(Payload payload) {
        return new ProxyCall(
                request,
                route,
                identity,
                policy,
                keyRequest,
                payload,
                key,
                attempts,
                reservation,
                upstreamNanos,
                upstreamSpan);
    }

    /** The first attempt, with this key of its pool. */
    public ProxyCall withKey(KeyPool pool, ProviderKey key) {
        return new ProxyCall(
                request,
                route,
                identity,
                policy,
                keyRequest,
                payload,
                key,
                Attempts.first(pool, key, payload.model(), policy.fallbacksFor(payload.model())),
                reservation,
                upstreamNanos,
                upstreamSpan);
    }

    /** The next attempt, with another key of the same pool (a fail-over). */
    public ProxyCall failedOverTo(ProviderKey next) {
        return new ProxyCall(
                request,
                route,
                identity,
                policy,
                keyRequest,
                payload,
                next,
                attempts.then(next),
                reservation,
                upstreamNanos,
                upstreamSpan);
    }

    public ProxyCall withReservation(Quotas.Reservation reservation) {
        return new ProxyCall(
                request,
                route,
                identity,
                policy,
                keyRequest,
                payload,
                key,
                attempts,
                reservation,
                upstreamNanos,
                upstreamSpan);
    }

    /**
     * The next attempt at a fallback target: another provider of the same family (its route), the body
     * as that target takes it (another model, perhaps), a key of that target's pool.
     *
     * @param index the target's index among the request's fallbacks
     */
    public ProxyCall atTarget(int index, Route target, Payload body, KeyPool pool, ProviderKey next) {
        return new ProxyCall(
                request,
                target,
                identity,
                policy,
                keyRequest,
                body,
                next,
                attempts.atTarget(index, pool, next),
                reservation,
                upstreamNanos,
                upstreamSpan);
    }

    /**
     * A provider call starts; the gateway's own time ends at the first one.
     *
     * @param span the provider call's span; null while tracing is off
     */
    public ProxyCall withUpstreamStarted(Span span) {
        return new ProxyCall(
                request,
                route,
                identity,
                policy,
                keyRequest,
                payload,
                key,
                attempts,
                reservation,
                upstreamNanos == 0 ? System.nanoTime() : upstreamNanos,
                span);
    }

    /** The number of the current provider call (1 for the first; 0 before any). */
    public int attempt() {
        return attempts == null ? 0 : attempts.number();
    }

    public String requestId() {
        return request.requestId();
    }

    /** Milliseconds since the request arrived. */
    public long elapsedMillis() {
        return (System.nanoTime() - request.receivedNanos()) / 1_000_000;
    }

    /** Time spent in the gateway before the upstream call started (all of it, if none started). */
    public long overheadNanos() {
        return (upstreamNanos == 0 ? System.nanoTime() : upstreamNanos) - request.receivedNanos();
    }

    @Override
    public String toString() {
        return "ProxyCall[" + request.requestId() + " " + request.method() + " " + request.rawPath() + "]";
    }
}
