package dev.symbolon.edge.provider;

import dev.symbolon.contracts.Secret;
import dev.symbolon.edge.EdgeProperties;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The edge's one HTTP client to providers: a pooled, kept-alive connection set shared by every
 * request. Responses come back as a stream of buffers so SSE passes chunk by chunk; upstream error
 * statuses are returned, not thrown, so they pass through to the client.
 */
@Component
public class ProviderClient {

    /**
     * Response headers that stay at the edge: hop-by-hop ones (RFC 9110 §7.6.1), framing the edge
     * sets itself, and cookies (the client has no session with the provider).
     */
    private static final Set<String> NOT_RETURNED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "set-cookie",
            "set-cookie2");

    private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

    private final HttpClient http;

    public ProviderClient(EdgeProperties properties) {
        ConnectionProvider pool = ConnectionProvider.builder("upstream")
                .maxConnections(1024)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofSeconds(10))
                .maxIdleTime(Duration.ofSeconds(30))
                .evictInBackground(Duration.ofSeconds(30))
                // The most recently used connection first: it is the warmest at the provider and the
                // least likely to have been closed there; ones a burst opened go idle and are evicted.
                .lifo()
                .build();
        // Reactor Netty's client directly, not WebClient: on the proxy path WebClient's request and
        // response adapters, status handlers and checkpoints cost CPU per request and add nothing
        // (bench/README.md). Bodies stay Netty buffers from the provider's socket to the client's.
        this.http = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                // Applies between reads, so it is the idle timeout of a stream, not a total.
                .responseTimeout(properties.streamIdleTimeout());
    }

    /**
     * Sends a request upstream. The client's own credential headers and hop-by-hop headers are
     * dropped and the provider key is injected the provider's way. Every status comes back as a
     * response, so provider errors pass through; the body is a stream of buffers (SSE chunk by
     * chunk) that must be subscribed to, or the connection is closed when the caller cancels.
     */
    public Mono<ResponseEntity<Flux<DataBuffer>>> send(
            Provider provider,
            HttpMethod method,
            String endpoint,
            String rawQuery,
            HttpHeaders clientHeaders,
            byte[] body,
            Secret apiKey,
            boolean tenantOwnedKey) {
        AtomicReference<UpstreamBody> received = new AtomicReference<>();
        return http.request(io.netty.handler.codec.http.HttpMethod.valueOf(method.name()))
                .uri(upstreamUri(provider, endpoint, rawQuery))
                .send((request, outbound) -> {
                    HttpHeaders headers = new HttpHeaders(new Netty4HeadersAdapter(request.requestHeaders()));
                    copyRequestHeaders(provider.dialect(), tenantOwnedKey, clientHeaders, headers);
                    provider.dialect().injectKey(apiKey, headers);
                    if (body.length == 0) {
                        return outbound;
                    }
                    headers.setContentLength(body.length);
                    return outbound.send(Mono.just(Unpooled.wrappedBuffer(body)));
                })
                .responseConnection((response, connection) -> {
                    UpstreamBody upstreamBody = new UpstreamBody(connection);
                    received.set(upstreamBody);
                    return Mono.just(new ResponseEntity<>(
                            upstreamBody.flux(),
                            new HttpHeaders(new Netty4HeadersAdapter(response.responseHeaders())),
                            HttpStatusCode.valueOf(response.status().code())));
                })
                .next()
                .doOnCancel(() -> {
                    UpstreamBody upstreamBody = received.get();
                    if (upstreamBody != null) {
                        upstreamBody.releaseUnread();
                    }
                });
    }

    /**
     * A response body read at most once; one nobody reads (the client went away between the
     * provider's headers and its body) closes its connection so no buffer or pooled connection leaks.
     */
    private static final class UpstreamBody {
        private final Connection connection;
        private final AtomicBoolean claimed = new AtomicBoolean();

        UpstreamBody(Connection connection) {
            this.connection = connection;
        }

        Flux<DataBuffer> flux() {
            return connection
                    .inbound()
                    .receive()
                    .doOnSubscribe(subscription -> claimed.set(true))
                    .map(buffer -> BUFFERS.wrap(buffer.retain()));
        }

        void releaseUnread() {
            if (claimed.compareAndSet(false, true)) {
                connection.dispose();
            }
        }
    }

    /**
     * The provider's base URL, the raw endpoint path and the raw query exactly as the client encoded
     * them (already checked canonical, so nothing is decoded and re-encoded on the way), without a
     * Gemini {@code key} parameter however its name is percent-encoded.
     */
    static String upstreamUri(Provider provider, String endpoint, String rawQuery) {
        String uri = provider.baseUrl() + endpoint;
        if (rawQuery == null || rawQuery.isEmpty()) {
            return uri;
        }
        String query = provider.dialect().keyInQuery()
                ? withoutParameter(rawQuery, ClientCredentials.GOOGLE_QUERY_KEY)
                : rawQuery;
        return query.isEmpty() ? uri : uri + "?" + query;
    }

    private static String withoutParameter(String rawQuery, String name) {
        StringJoiner kept = new StringJoiner("&");
        for (String parameter : rawQuery.split("&")) {
            int equals = parameter.indexOf('=');
            if (!name.equals(decoded(equals < 0 ? parameter : parameter.substring(0, equals)))) {
                kept.add(parameter);
            }
        }
        return kept.toString();
    }

    private static String decoded(String rawName) {
        try {
            return URLDecoder.decode(rawName, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return rawName; // malformed escapes: not a name the credential lookup could have read either
        }
    }

    /**
     * The client headers a provider gets ({@link ForwardedHeaders}), less any the client declared
     * hop-by-hop by naming it in {@code Connection}.
     */
    static void copyRequestHeaders(Dialect dialect, boolean tenantOwnedKey, HttpHeaders from, HttpHeaders to) {
        Set<String> named = namedByConnection(from);
        from.forEach((name, values) -> {
            if (ForwardedHeaders.forwarded(dialect, tenantOwnedKey, name)
                    && !named.contains(name.toLowerCase(Locale.ROOT))) {
                to.addAll(name, List.copyOf(values));
            }
        });
    }

    /** Headers the sender declared hop-by-hop by listing them in {@code Connection} (RFC 9110 §7.6.1). */
    private static Set<String> namedByConnection(HttpHeaders headers) {
        List<String> connection = headers.get(HttpHeaders.CONNECTION);
        if (connection == null || connection.isEmpty()) {
            return Set.of();
        }
        Set<String> named = new HashSet<>();
        for (String value : connection) {
            for (String token : value.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    named.add(name);
                }
            }
        }
        return named;
    }

    /**
     * Upstream response headers the client gets: all but hop-by-hop ones and cookies, the provider's
     * request id renamed (the edge's own is {@code x-request-id}), and the injected key scrubbed from
     * every value ({@link KeyScrubber}).
     */
    public static void copyResponseHeaders(HttpHeaders from, HttpHeaders to, KeyScrubber scrubber) {
        Set<String> named = namedByConnection(from);
        from.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (named.contains(lower) || NOT_RETURNED.contains(lower)) {
                return;
            }
            to.addAll(
                    lower.equals("x-request-id") ? "x-upstream-request-id" : name,
                    scrubber == KeyScrubber.NONE
                            ? values
                            : values.stream().map(scrubber::scrub).toList());
        });
    }
}
