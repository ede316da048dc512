package dev.symbolon.edge.pipeline;

import dev.symbolon.contracts.UsageRecorded.Outcome;
import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.auth.AppDirectory;
import dev.symbolon.edge.auth.AppTokens;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.call.KeyRequest;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.keys.ProviderKeys;
import dev.symbolon.edge.limits.RateLimits;
import dev.symbolon.edge.policy.ClientAddress;
import dev.symbolon.edge.policy.EffectivePolicy;
import dev.symbolon.edge.provider.KeyScrubber;
import dev.symbolon.edge.provider.ProviderClient;
import dev.symbolon.edge.provider.ProviderRoutes;
import dev.symbolon.edge.provider.SharedKeyEndpoints;
import dev.symbolon.edge.provider.StreamUsage;
import dev.symbolon.edge.routing.Attempts;
import dev.symbolon.edge.routing.Failover;
import dev.symbolon.edge.routing.KeyHealth;
import dev.symbolon.edge.routing.ProviderKey;
import dev.symbolon.edge.telemetry.EdgeMetrics;
import dev.symbolon.edge.telemetry.UpstreamSpans;
import dev.symbolon.edge.usage.UsageMeter;
import dev.symbolon.edge.usage.UsageRecorder;
import dev.symbolon.support.traces.Traces;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
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
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The request path of the edge, every step in order: route → authenticate → authorize (IP rules,
 * provider and endpoint allow-lists) → limit (requests and tokens per minute) → read body (size
 * limit, model allow-list) → reserve (daily and monthly quotas) → resolve key → forward → meter.
 * Each step takes the {@link ProxyCall} so far and returns it with what it established; a refusal is
 * a {@link GatewayException} tied to the call it stopped.
 */
@Component
class ProxyPipeline {

    public static final String REQUEST_ID = "x-request-id";
    public static final String OVERHEAD = "x-symbolon-overhead-ms";
    /** Which key and attempt served a response: {@code key=key_…; target=openai; attempt=2}. */
    public static final String SERVED_BY = "x-symbolon-served-by";

    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;
    /** The largest provider error body passed on (scrubbed); error bodies are a few hundred bytes. */
    private static final int MAX_ERROR_BODY = 1024 * 1024;

    private final ProviderRoutes routes;
    private final AppDirectory apps;
    private final ProviderKeys keys;
    private final ProviderClient providers;
    private final UsageRecorder usage;
    private final RateLimits limits;
    private final QuotaReservations reservations;
    private final AppTokens tokens;
    private final long maxBodyBytes;
    private final Duration upstreamTimeout;
    private final EdgeProperties.StreamLimits streamLimits;
    private final ClientAddress clientAddress;
    private final SharedKeyEndpoints sharedKeys;
    private final EdgeMetrics metrics;
    private final UpstreamSpans spans;
    private final KeyHealth health;
    private final Failover failover;
    private final Fallbacks fallbacks;

    ProxyPipeline(
            ProviderRoutes routes,
            AppDirectory apps,
            ProviderKeys keys,
            ProviderClient providers,
            UsageRecorder usage,
            RateLimits limits,
            QuotaReservations reservations,
            AppTokens tokens,
            SharedKeyEndpoints sharedKeys,
            EdgeMetrics metrics,
            UpstreamSpans spans,
            KeyHealth health,
            Failover failover,
            Fallbacks fallbacks,
            EdgeProperties properties) {
        this.health = health;
        this.fallbacks = fallbacks;
        this.failover = failover;
        this.metrics = metrics;
        this.spans = spans;
        this.routes = routes;
        this.apps = apps;
        this.keys = keys;
        this.providers = providers;
        this.usage = usage;
        this.limits = limits;
        this.reservations = reservations;
        this.tokens = tokens;
        this.sharedKeys = sharedKeys;
        this.maxBodyBytes = properties.maxBodySize().toBytes();
        this.upstreamTimeout = properties.upstreamTimeout();
        this.streamLimits = properties.streamLimits();
        this.clientAddress = new ClientAddress(properties.trustedProxies());
    }

    public Mono<ServerResponse> handle(ServerRequest request) {
        ProxyCall start = ProxyCall.start(new ProxyCall.Request(
                newRequestId(),
                Instant.now(),
                System.nanoTime(),
                request.method(),
                request.uri().getRawPath(),
                request.uri().getRawQuery(),
                request.queryParams(),
                request.headers().asHttpHeaders(),
                clientAddress.resolve(
                        request.remoteAddress()
                                .map(InetSocketAddress::getAddress)
                                .orElse(InetAddress.getLoopbackAddress()),
                        request.headers().firstHeader("X-Forwarded-For")),
                request.exchange().getAttribute(Traces.CONTEXT)));
        String pattern = start.request().trace() == null
                ? null
                : ProviderRoutes.pattern(start.request().rawPath());
        if (pattern != null) {
            request.exchange().getAttributes().put(Traces.ROUTE, pattern); // names the server span
        }
        return Mono.fromCallable(() -> limit(authorize(authenticate(route(start)))))
                .flatMap(call -> readBody(call, request))
                .map(this::reserve)
                .flatMap(this::resolveKey)
                .flatMap(this::forward)
                .onErrorResume(GatewayException.class, e -> refuse(e, start));
    }

    private ProxyCall route(ProxyCall call) {
        return call.withRoute(routes.resolve(call.request().rawPath())
                .orElseThrow(() -> new GatewayException(
                        HttpStatus.NOT_FOUND, "unknown_route", "No provider route matches this path.")));
    }

    private ProxyCall authenticate(ProxyCall call) {
        String credential = call.route()
                .provider()
                .dialect()
                .credential(call.request().headers(), call.request().query());
        AppDirectory.Result result = apps.authenticateAny(credential, tokens);
        if (result instanceof AppDirectory.Accepted accepted) {
            return call.withIdentity(accepted.identity(), accepted.policy());
        }
        if (result instanceof AppDirectory.Suspended suspended) {
            throw new GatewayException(
                            HttpStatus.FORBIDDEN,
                            suspended.what() + "_suspended",
                            "This " + suspended.what() + " is suspended.")
                    .at(call.withIdentity(suspended.identity(), EffectivePolicy.OPEN));
        }
        throw new GatewayException(HttpStatus.UNAUTHORIZED, "invalid_credential", "Missing or invalid API credential.");
    }

    /**
     * IP rules (global and tenant), the provider and endpoint allow-lists of tenant and app, then
     * what the kind of key asked for may reach ({@link SharedKeyEndpoints}).
     */
    private ProxyCall authorize(ProxyCall call) {
        InetAddress client = call.request().clientAddress();
        if (!apps.globalRules().allows(client) || !call.policy().allowsAddress(client)) {
            throw refused(call, "ip_not_allowed", "Requests from this address are not allowed.");
        }
        if (!call.policy().allowsProvider(call.route().provider().name())) {
            throw refused(call, "provider_not_allowed", "This provider is not allowed for this app.");
        }
        // The raw endpoint is canonical (service-support's CanonicalPathFilter), and exactly what is sent upstream.
        if (!call.policy().allowsEndpoint(call.route().endpoint())) {
            throw refused(call, "endpoint_not_allowed", "This endpoint is not allowed for this app.");
        }
        KeyRequest key = ProviderKeys.requested(call.request().headers());
        if (key == KeyRequest.SERVER && call.policy().requiresOwnKeys()) {
            key = KeyRequest.OWN_POOL; // never the operator's keys: the tenant's managed ones
        }
        if (!Fallbacks.reaches(
                sharedKeys, call.policy(), key, call.route(), call.request().method())) {
            throw refused(
                    call,
                    "endpoint_not_allowed",
                    "This endpoint is not served with a shared provider key (inference endpoints only).");
        }
        return call.withKeyRequest(key);
    }

    /** Requests and tokens per minute, per app and per tenant. */
    private ProxyCall limit(ProxyCall call) {
        RateLimits.Refusal refusal = limits.admit(call.identity(), call.policy());
        if (refusal != null) {
            throw GatewayException.limited(call, refusal.limit(), refusal.retryAfterSeconds());
        }
        return call;
    }

    private static GatewayException refused(ProxyCall call, String type, String message) {
        return new GatewayException(HttpStatus.FORBIDDEN, type, message).at(call);
    }

    private Mono<ProxyCall> readBody(ProxyCall call, ServerRequest request) {
        Long policyLimit = call.policy().maxBodyBytes();
        long limit = policyLimit == null ? maxBodyBytes : Math.min(maxBodyBytes, policyLimit);
        if (call.request().headers().getContentLength() > limit) {
            return Mono.error(bodyTooLarge().at(call));
        }
        return DataBufferUtils.join(request.body((message, context) -> message.getBody()), (int) limit)
                .map(buffer -> {
                    try {
                        byte[] body = new byte[buffer.readableByteCount()];
                        buffer.read(body);
                        return body;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty(new byte[0])
                .map(body -> call.withPayload(Payloads.read(call, body)))
                .onErrorMap(DataBufferLimitException.class, e -> bodyTooLarge().at(call));
    }

    /** Daily and monthly quotas of tenant and app at the request's worst case (see {@link QuotaReservations}). */
    private ProxyCall reserve(ProxyCall call) {
        return reservations.reserve(call);
    }

    /** The request's key pool, and the key of its first attempt: the next healthy one by weight. */
    private Mono<ProxyCall> resolveKey(ProxyCall call) {
        return keys.forRequest(call.route().provider().name(), call.identity(), call.keyRequest(), call.request())
                .map(pool -> call.withKey(pool, pool.first(health)))
                .onErrorMap(GatewayException.class, e -> e.at(call));
    }

    /**
     * One provider call with the call's key. Until the client has been sent anything, an answer or a
     * failure that {@link Failover} moves on from goes to the next key of the pool (each attempt its own
     * usage event); whatever the last attempt got is the client's.
     */
    private Mono<ServerResponse> forward(ProxyCall prepared) {
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
                    headers.set(REQUEST_ID, call.requestId());
                    headers.set(OVERHEAD, Long.toString(overheadMs));
                    headers.set(SERVED_BY, servedBy(call));
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

    private Mono<ServerResponse> refuse(GatewayException e, ProxyCall start) {
        ProxyCall call = e.call() != null ? e.call() : start;
        Outcome outcome = e.status().is5xxServerError() ? Outcome.UPSTREAM_UNAVAILABLE : Outcome.REFUSED;
        metrics.refused(call, e);
        usage.ended(call, e.status().value(), outcome);
        return ErrorResponses.of(e, call.requestId(), call.overheadNanos() / 1_000_000);
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

    private static GatewayException bodyTooLarge() {
        return new GatewayException(
                HttpStatus.CONTENT_TOO_LARGE, "body_too_large", "The request body exceeds the allowed size.");
    }

    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "req_" + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }
}
