package dev.symbolon.edge.pipeline;

import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.keys.ProviderKey;
import dev.symbolon.edge.provider.ProviderRoutes.Route;
import java.time.Instant;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.util.MultiValueMap;

/**
 * Everything one request has established so far, immutable; each pipeline step returns a copy with
 * what it added. Null fields are steps not reached yet.
 *
 * @param receivedNanos {@link System#nanoTime()} when the request arrived
 * @param model the {@code model} named in a JSON body, if any
 * @param stream whether the client asked for a stream ({@code "stream": true})
 * @param upstreamNanos {@link System#nanoTime()} when the upstream call started, 0 before
 */
public record ProxyCall(
        String requestId,
        Instant receivedAt,
        long receivedNanos,
        HttpMethod method,
        String rawPath,
        MultiValueMap<String, String> query,
        HttpHeaders headers,
        Route route,
        AppIdentity identity,
        byte[] body,
        String model,
        boolean stream,
        ProviderKey key,
        long upstreamNanos) {

    static ProxyCall start(
            String requestId,
            HttpMethod method,
            String rawPath,
            MultiValueMap<String, String> query,
            HttpHeaders headers) {
        return new ProxyCall(
                requestId,
                Instant.now(),
                System.nanoTime(),
                method,
                rawPath,
                query,
                headers,
                null,
                null,
                null,
                null,
                false,
                null,
                0);
    }

    ProxyCall withRoute(Route route) {
        return new ProxyCall(
                requestId,
                receivedAt,
                receivedNanos,
                method,
                rawPath,
                query,
                headers,
                route,
                identity,
                body,
                model,
                stream,
                key,
                upstreamNanos);
    }

    ProxyCall withIdentity(AppIdentity identity) {
        return new ProxyCall(
                requestId,
                receivedAt,
                receivedNanos,
                method,
                rawPath,
                query,
                headers,
                route,
                identity,
                body,
                model,
                stream,
                key,
                upstreamNanos);
    }

    ProxyCall withBody(byte[] body, String model, boolean stream) {
        return new ProxyCall(
                requestId,
                receivedAt,
                receivedNanos,
                method,
                rawPath,
                query,
                headers,
                route,
                identity,
                body,
                model,
                stream,
                key,
                upstreamNanos);
    }

    ProxyCall withKey(ProviderKey key) {
        return new ProxyCall(
                requestId,
                receivedAt,
                receivedNanos,
                method,
                rawPath,
                query,
                headers,
                route,
                identity,
                body,
                model,
                stream,
                key,
                upstreamNanos);
    }

    ProxyCall withUpstreamStarted() {
        return new ProxyCall(
                requestId,
                receivedAt,
                receivedNanos,
                method,
                rawPath,
                query,
                headers,
                route,
                identity,
                body,
                model,
                stream,
                key,
                System.nanoTime());
    }

    /** Milliseconds since the request arrived. */
    public long elapsedMillis() {
        return (System.nanoTime() - receivedNanos) / 1_000_000;
    }

    /** Time spent in the gateway before the upstream call started (all of it, if none started). */
    public long overheadNanos() {
        return (upstreamNanos == 0 ? System.nanoTime() : upstreamNanos) - receivedNanos;
    }

    @Override
    public String toString() {
        return "ProxyCall[" + requestId + " " + method + " " + rawPath + "]";
    }
}
