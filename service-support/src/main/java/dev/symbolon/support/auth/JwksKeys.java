package dev.symbolon.support.auth;

import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The public keys of a JWK set (admin-api's, or an external identity provider's), by key id: cached,
 * and fetched again — asynchronously, at most every 30 seconds — when a token names a key id not
 * seen yet, so a key rotation is picked up without letting tokens with random key ids hammer the
 * set's server. Never blocks the caller's thread.
 */
public final class JwksKeys {

    private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);
    private static final Duration MIN_REFRESH = Duration.ofSeconds(30);

    private final URI uri;
    private final String name;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private volatile Instant lastRefresh = Instant.EPOCH;

    /** @param name what the set is, for log lines ("admin JWK set") */
    public JwksKeys(URI uri, String name) {
        this.uri = uri;
        this.name = name;
    }

    /** Finds a key by id for a verification; a missing id or an unknown one fails it. */
    @FunctionalInterface
    public interface Lookup {
        PublicKey key(String kid);
    }

    /**
     * Runs {@code verification} with the keys known; when it asks for a key id not known yet, fetches
     * the set again (unless it was fetched less than 30 s ago) and runs it once more. A verification
     * that still names an unknown key id gives empty.
     */
    public <T> Mono<Optional<T>> verify(Function<Lookup, Optional<T>> verification) {
        try {
            return Mono.just(verification.apply(this::known));
        } catch (UnknownKeyId e) {
            if (!refreshAllowed()) {
                return Mono.just(Optional.empty());
            }
            return refresh().then(Mono.fromCallable(() -> {
                try {
                    return verification.apply(this::known);
                } catch (UnknownKeyId stillUnknown) {
                    return Optional.<T>empty();
                }
            }));
        }
    }

    private PublicKey known(String kid) {
        if (kid == null) {
            throw new JwtException("a key id is required");
        }
        PublicKey key = keys.get(kid);
        if (key == null) {
            throw new UnknownKeyId();
        }
        return key;
    }

    /** A token names a key id that is not in the set as last fetched. */
    private static final class UnknownKeyId extends RuntimeException {
        UnknownKeyId() {
            super(null, null, false, false);
        }
    }

    private synchronized boolean refreshAllowed() {
        Instant now = Instant.now();
        if (now.isBefore(lastRefresh.plus(MIN_REFRESH))) {
            return false;
        }
        lastRefresh = now;
        return true;
    }

    private Mono<Void> refresh() {
        HttpRequest request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
        return Mono.fromFuture(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .doOnNext(response -> {
                    if (response.statusCode() != 200) {
                        log.warn("{} answered {}", name, response.statusCode());
                        return;
                    }
                    JwkSet set = Jwks.setParser().build().parse(response.body());
                    for (Jwk<?> jwk : set) {
                        if (jwk.getId() != null && jwk.toKey() instanceof PublicKey publicKey) {
                            keys.put(jwk.getId(), publicKey);
                        }
                    }
                })
                .onErrorResume(e -> {
                    log.warn("could not fetch the {}: {}", name, e.getClass().getSimpleName());
                    return Mono.empty();
                })
                .then();
    }
}
