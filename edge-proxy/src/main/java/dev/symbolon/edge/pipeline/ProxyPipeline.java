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
import dev.symbolon.edge.provider.ProviderRoutes;
import dev.symbolon.edge.provider.SharedKeyEndpoints;
import dev.symbolon.edge.routing.KeyHealth;
import dev.symbolon.edge.telemetry.EdgeMetrics;
import dev.symbolon.edge.usage.UsageRecorder;
import dev.symbolon.support.traces.Traces;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The request path of the edge, every step in order: route → authenticate → authorize (IP rules,
 * provider and endpoint allow-lists) → limit (requests and tokens per minute) → read body (size
 * limit, model allow-list) → reserve (daily and monthly quotas) → resolve key (the pool, and the
 * first attempt's key) → forward (the provider call, its fail-overs and the response: {@link
 * Forwarding}) → meter. Each step takes the {@link ProxyCall} so far and returns it with what it
 * established; a refusal is a {@link GatewayException} tied to the call it stopped.
 */
@Component
class ProxyPipeline {

    public static final String REQUEST_ID = "x-request-id";
    public static final String OVERHEAD = "x-symbolon-overhead-ms";
    /** Which key and attempt served a response: {@code key=key_…; target=openai; attempt=2}. */
    public static final String SERVED_BY = "x-symbolon-served-by";

    private final ProviderRoutes routes;
    private final AppDirectory apps;
    private final ProviderKeys keys;
    private final UsageRecorder usage;
    private final RateLimits limits;
    private final QuotaReservations reservations;
    private final AppTokens tokens;
    private final long maxBodyBytes;
    private final ClientAddress clientAddress;
    private final SharedKeyEndpoints sharedKeys;
    private final EdgeMetrics metrics;
    private final KeyHealth health;
    private final Forwarding forwarding;

    ProxyPipeline(
            ProviderRoutes routes,
            AppDirectory apps,
            ProviderKeys keys,
            UsageRecorder usage,
            RateLimits limits,
            QuotaReservations reservations,
            AppTokens tokens,
            SharedKeyEndpoints sharedKeys,
            EdgeMetrics metrics,
            KeyHealth health,
            Forwarding forwarding,
            EdgeProperties properties) {
        this.routes = routes;
        this.apps = apps;
        this.keys = keys;
        this.usage = usage;
        this.limits = limits;
        this.reservations = reservations;
        this.tokens = tokens;
        this.sharedKeys = sharedKeys;
        this.metrics = metrics;
        this.health = health;
        this.forwarding = forwarding;
        this.maxBodyBytes = properties.maxBodySize().toBytes();
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
                .flatMap(this::reserve)
                .flatMap(this::resolveKey)
                .flatMap(forwarding::forward)
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
    private Mono<ProxyCall> reserve(ProxyCall call) {
        return reservations.reserve(call);
    }

    /** The request's key pool, and the key of its first attempt: the next healthy one by weight. */
    private Mono<ProxyCall> resolveKey(ProxyCall call) {
        return keys.forRequest(call.route().provider().name(), call.identity(), call.keyRequest(), call.request())
                .map(pool -> call.withKey(pool, pool.first(health)))
                .onErrorMap(GatewayException.class, e -> e.at(call));
    }

    private Mono<ServerResponse> refuse(GatewayException e, ProxyCall start) {
        ProxyCall call = e.call() != null ? e.call() : start;
        Outcome outcome = e.status().is5xxServerError() ? Outcome.UPSTREAM_UNAVAILABLE : Outcome.REFUSED;
        metrics.refused(call, e);
        usage.ended(call, e.status().value(), outcome);
        return ErrorResponses.of(e, call.requestId(), call.overheadNanos() / 1_000_000);
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
