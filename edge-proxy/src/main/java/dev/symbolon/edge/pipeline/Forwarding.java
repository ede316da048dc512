package dev.symbolon.edge.pipeline;

import dev.symbolon.contracts.UsageRecorded.Outcome;
import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.provider.KeyScrubber;
import dev.symbolon.edge.provider.ProviderClient;
import dev.symbolon.edge.provider.StreamUsage;
import dev.symbolon.edge.routing.Attempts;
import dev.symbolon.edge.routing.Failover;
import dev.symbolon.edge.routing.KeyHealth;
import dev.symbolon.edge.routing.ProviderKey;
import dev.symbolon.edge.telemetry.EdgeMetrics;
import dev.symbolon.edge.telemetry.UpstreamSpans;
import dev.symbolon.edge.usage.UsageMeter;
import dev.symbolon.edge.usage.UsageRecorder;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The pipeline's last step: the provider call, its fail-overs and the client's response. One attempt
 * calls the provider with the call's key; until the client has been sent anything, an answer or a
 * failure that {@link Failover} moves on from goes to the next key of the pool, else to the next
 * fallback target ({@link Fallbacks}), each attempt its own usage event; whatever the last attempt got
 * is the client's: streamed through its bounds and its meter, a provider's error scrubbed of the key.
 */
@Component
class Forwarding {

    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;
    /** The largest provider error body passed on (scrubbed); error bodies are a few hundred bytes. */
    private static final int MAX_ERROR_BODY = 1024 * 1024;

    private final ProviderClient providers;
    private final UsageRecorder usage;
    private final UpstreamSpans spans;
    private final EdgeMetrics metrics;
    private final KeyHealth health;
    private final Failover failover;
    private final Fallbacks fallbacks;
    private final Duration upstreamTimeout;
    private final EdgeProperties.StreamLimits streamLimits;

    Forwarding(
            ProviderClient providers,
            UsageRecorder usage,
            UpstreamSpans spans,
            EdgeMetrics metrics,
            KeyHealth health,
            Failover failover,
            Fallbacks fallbacks,
            EdgeProperties properties) {
        this.providers = providers;
        this.usage = usage;
        this.spans = spans;
        this.metrics = metrics;
        this.health = health;
        this.failover = failover;
        this.fallbacks = fallbacks;
        this.upstreamTimeout = properties.upstreamTimeout();
        this.streamLimits = properties.streamLimits();
    }

    /**
     * One provider call with the call's key. Until the client has been sent anything, an answer or a
     * failure that {@link Failover} moves on from goes to the next key of the pool, else to the next
     * fallback target (each attempt its own usage event); whatever the last attempt got is the client's.
     */
    Mono<ServerResponse> forward(ProxyCall prepared) {
        ProxyCall call = prepared.withUpstreamStarted(spans.start(prepared));
        Mono<ResponseEntity<Flux<DataBuffer>>> upstream = providers.send(
                call.route().provider(),
                call.request().method(),
                call.route().endpoint(),
                call.request().rawQuery(),
                call.request().headers(),
                call.payload().bytes(),
                call.key().apiKey(),
                call.key().tenantOwned());
        Handover handover = new Handover();
        return upstream.timeout(failover.attemptWait(call.request().receivedNanos()))
                .map(Attempt::answered)
                .onErrorResume(e -> Mono.just(Attempt.failed(upstreamFailure(e))))
                .flatMap(attempt -> attempt.response() != null
                        ? answered(call, attempt.response(), handover)
                        : failed(call, attempt.failure(), handover))
                .doOnCancel(() -> {
                    if (handover.cancel()) {
                        usage.cancelledBeforeResponse(call);
                    }
                });
    }

    /**
     * The provider answered. A status that fails over goes to the next key of the pool, else to the
     * next fallback target, if there is one; otherwise, and for any other status, to the client.
     */
    private Mono<ServerResponse> answered(
            ProxyCall call, ResponseEntity<Flux<DataBuffer>> response, Handover handover) {
        int status = response.getStatusCode().value();
        health.answered(call.key(), call.route().provider().dialect(), status, response.getHeaders());
        if (!failover.onStatus(status)) {
            if (handover.take()) {
                return respond(call, response);
            }
            Handover.drain(response); // the client left as it arrived
            return Mono.empty();
        }
        handover.hold(response);
        return nextAttempt(call, false)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(next -> {
                    if (!handover.take()) {
                        return Mono.empty(); // the client left meanwhile: recorded as it left
                    }
                    if (next.isEmpty()) {
                        return respond(call, response);
                    }
                    Handover.drain(response);
                    usage.failedOver(call, status, Outcome.UPSTREAM_ERROR, status >= 500 ? "status_5xx" : "status_4xx");
                    return forward(next.get());
                });
    }

    /**
     * The provider did not answer in time (the next key, else the next fallback target), or could not
     * be reached at all (its host, whatever the key: the next fallback target only); with none left,
     * the client's 504 or 502.
     */
    private Mono<ServerResponse> failed(ProxyCall call, GatewayException failure, Handover handover) {
        boolean unreachable = "upstream_unreachable".equals(failure.type());
        if (!unreachable) {
            health.failed(call.key());
        }
        // an unreachable host moves on to a fallback target on another host; a timeout as configured
        Mono<ProxyCall> attempt =
                unreachable || failover.onFailure(failure.type()) ? nextAttempt(call, unreachable) : Mono.empty();
        return attempt.map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap(next -> {
            if (!handover.take()) {
                return Mono.empty();
            }
            if (next.isEmpty()) {
                return Mono.<ServerResponse>error(failure.at(call));
            }
            usage.failedOver(call, failure.status().value(), Outcome.UPSTREAM_UNAVAILABLE, failure.type());
            return forward(next.get());
        });
    }

    /**
     * The request's next attempt while attempts and the deadline allow: another healthy key of its
     * pool not tried yet (unless the provider's host is the trouble), else its next usable fallback
     * target; empty when there is none.
     */
    private Mono<ProxyCall> nextAttempt(ProxyCall call, boolean otherHostOnly) {
        Attempts attempts = call.attempts();
        if (!failover.mayRetry(attempts.number(), call.request().receivedNanos())) {
            return Mono.empty();
        }
        ProviderKey key = otherHostOnly ? null : attempts.pool().next(health, attempts.tried());
        return key != null ? Mono.just(call.failedOverTo(key)) : fallbacks.next(call);
    }

    /**
     * Who answers for one attempt once it has its outcome: the client's response, the next attempt or
     * an error, or, if the client left first, the cancellation (which records the request and drains
     * an answer held while the next attempt was being found). Exactly one of them.
     */
    private static final class Handover {
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ResponseEntity<Flux<DataBuffer>> held;

        /** The attempt hands the request on; false when the client left first. */
        boolean take() {
            return done.compareAndSet(false, true);
        }

        /** An answer waiting while the next attempt is found (drained if the client leaves meanwhile). */
        void hold(ResponseEntity<Flux<DataBuffer>> response) {
            held = response;
        }

        /** The client left: true when the request was still this attempt's to record. */
        boolean cancel() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            if (held != null) {
                drain(held);
            }
            return true;
        }

        /** Reads an answer nobody will see to its end apart from the request, so its connection is reused. */
        static void drain(ResponseEntity<Flux<DataBuffer>> response) {
            Flux<DataBuffer> body = response.getBody();
            if (body != null) {
                body.subscribe(DataBufferUtils::release, error -> {});
            }
        }
    }

    /** What one provider call came to: an answer (any status), or a failure to get one. */
    private record Attempt(ResponseEntity<Flux<DataBuffer>> response, GatewayException failure) {
        static Attempt answered(ResponseEntity<Flux<DataBuffer>> response) {
            return new Attempt(response, null);
        }

        static Attempt failed(GatewayException failure) {
            return new Attempt(null, failure);
        }
    }

    private Mono<ServerResponse> respond(ProxyCall call, ResponseEntity<Flux<DataBuffer>> upstream) {
        long receivedNanos = System.nanoTime();
        int status = upstream.getStatusCode().value();
        MediaType contentType = upstream.getHeaders().getContentType();
        boolean sse = contentType != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(contentType);
        UsageMeter meter = usage.meter(call, status, contentType);
        Flux<DataBuffer> body = upstream.getBody() == null ? Flux.empty() : upstream.getBody();
        // streams by the stream limits; any other body within the upstream timeout and the size limit
        ResponseBounds bounds = sse || call.payload().stream()
                ? ResponseBounds.of(
                        streamLimits.maxDuration(),
                        streamLimits.maxSize().toBytes(),
                        call.policy().maxStreamSeconds(),
                        call.policy().maxStreamBytes())
                : ResponseBounds.of(upstreamTimeout, streamLimits.maxSize().toBytes(), null, null);
        Flux<DataBuffer> metered = bounds.apply(body).doOnNext(meter::observe).doFinally(meter::finish);
        if (sse) {
            // The cut becomes an in-band event at the source: an error signal travelling through the
            // operators below would overtake (and discard) chunks still queued in them.
            metered = metered.onErrorResume(error -> Flux.just(BUFFERS.wrap(ErrorResponses.sseEvent(
                    error instanceof ReadTimeoutException || error.getCause() instanceof ReadTimeoutException
                            ? "upstream_timeout"
                            : "upstream_interrupted",
                    "The provider's stream ended early.",
                    call.requestId()))));
        }
        // A stream the edge ended (too long, too large) says so in band; any other body is cut off.
        metered = metered.concatWith(Flux.defer(() -> {
            String cut = bounds.cut();
            if (cut == null) {
                return Flux.empty();
            }
            return sse
                    ? Flux.just(BUFFERS.wrap(ErrorResponses.sseEvent(cut, bounds.message(), call.requestId())))
                    : Flux.error(new IllegalStateException("response body " + cut));
        }));
        boolean reshaped = sse && call.payload().usageRequested();
        if (reshaped) {
            metered = StreamUsage.withoutUsageChunks(metered, BUFFERS);
        }
        // Providers echo keys in errors: a non-2xx answer's headers and body are scrubbed; a success
        // streams untouched (and builds no scrubber on the hot path).
        boolean scrubbed = status < 200 || status > 299;
        KeyScrubber scrubber = scrubbed ? KeyScrubber.of(call.key().apiKey()) : KeyScrubber.NONE;
        if (scrubbed) {
            metered = scrubbedErrorBody(metered, upstream.getHeaders(), scrubber, call.requestId());
        }
        long overheadNanos = call.overheadNanos() + System.nanoTime() - receivedNanos;
        metrics.overhead(overheadNanos);
        long overheadMs = overheadNanos / 1_000_000;
        return ServerResponse.status(status)
                .headers(headers -> {
                    ProviderClient.copyResponseHeaders(upstream.getHeaders(), headers, scrubber);
                    if (reshaped || scrubbed) {
                        headers.remove(HttpHeaders.CONTENT_LENGTH);
                    }
                    if (scrubbed) {
                        headers.remove(HttpHeaders.CONTENT_ENCODING);
                    }
                    headers.set(ProxyPipeline.REQUEST_ID, call.requestId());
                    headers.set(ProxyPipeline.OVERHEAD, Long.toString(overheadMs));
                    headers.set(ProxyPipeline.SERVED_BY, servedBy(call));
                })
                .body(BodyInserters.fromDataBuffers(metered));
    }

    /**
     * A provider's error body, read whole (up to {@link #MAX_ERROR_BODY}) with the injected key masked
     * wherever it is echoed. One the edge cannot read as sent (compressed, or larger than that) is
     * replaced by the edge's own error, never passed on unchecked.
     */
    private static Flux<DataBuffer> scrubbedErrorBody(
            Flux<DataBuffer> body, HttpHeaders upstream, KeyScrubber scrubber, String requestId) {
        String encoding = upstream.getFirst(HttpHeaders.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return body.doOnNext(DataBufferUtils::release)
                    .thenMany(Flux.<DataBuffer>just(BUFFERS.wrap(ErrorResponses.json(
                            "upstream_error", "The provider answered with an encoded error body.", requestId))));
        }
        return DataBufferUtils.join(body, MAX_ERROR_BODY)
                .<DataBuffer>map(joined -> {
                    try {
                        byte[] bytes = new byte[joined.readableByteCount()];
                        joined.read(bytes);
                        return BUFFERS.wrap(scrubber.scrub(bytes));
                    } finally {
                        DataBufferUtils.release(joined);
                    }
                })
                .onErrorResume(
                        DataBufferLimitException.class,
                        e -> Mono.just(BUFFERS.wrap(ErrorResponses.json(
                                "upstream_error", "The provider's error body was too large to pass on.", requestId))))
                .flux();
    }

    private static String servedBy(ProxyCall call) {
        return "key=" + call.key().keyId() + "; target="
                + call.route().provider().name() + "; attempt=" + call.attempt();
    }

    private static GatewayException upstreamFailure(Throwable e) {
        if (e instanceof GatewayException gateway) {
            return gateway;
        }
        if (e instanceof TimeoutException
                || e instanceof ReadTimeoutException
                || e.getCause() instanceof ReadTimeoutException) {
            return new GatewayException(
                    HttpStatus.GATEWAY_TIMEOUT, "upstream_timeout", "The provider did not answer in time.");
        }
        if (e instanceof IOException) {
            // refused, reset or closed before the provider's response began (connect timeouts too)
            return new GatewayException(
                    HttpStatus.BAD_GATEWAY, "upstream_unreachable", "The provider could not be reached.");
        }
        return new GatewayException(HttpStatus.BAD_GATEWAY, "upstream_error", "The provider call failed.");
    }
}
