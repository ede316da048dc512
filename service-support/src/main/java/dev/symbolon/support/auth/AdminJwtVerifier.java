package dev.symbolon.support.auth;

import dev.symbolon.contracts.Secret;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.ProtectedHeader;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Key;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Verifies admin JWTs issued by admin-api in the services that accept them: algorithm pinned to
 * ES256, issuer, audience and expiry checked, key looked up by {@code kid} in admin-api's JWK set,
 * and the admin key the token was bought with ({@code akid}) not revoked. The set is fetched when a
 * token names a key id not seen yet, at most every 30 s, so a forged {@code kid} cannot make a
 * service hammer admin-api. No token is accepted before the revocations have been read.
 */
public class AdminJwtVerifier {

    /** The claim naming the admin key a token was bought with (admin-api's {@code AdminTokens}). */
    public static final String ADMIN_KEY_CLAIM = "akid";

    private static final Logger log = LoggerFactory.getLogger(AdminJwtVerifier.class);
    private static final Duration MIN_REFRESH = Duration.ofSeconds(30);
    private static final String ALGORITHM = "ES256";

    private final AdminJwtSettings settings;
    private final AdminKeyRevocations revocations;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private volatile Instant lastRefresh = Instant.EPOCH;

    public AdminJwtVerifier(AdminJwtSettings settings, AdminKeyRevocations revocations) {
        this.settings = settings;
        this.revocations = revocations;
    }

    /** Whether admin JWTs can be judged yet (the revoked admin keys have been read). */
    public boolean ready() {
        return revocations.caughtUp();
    }

    /**
     * The caller of a bearer token: the bootstrap admin token, or a valid admin JWT; empty for
     * anything else. Never blocks: a key id not seen yet is looked up in admin-api's JWK set
     * asynchronously (in local mode every service shares one event loop, admin-api's included).
     */
    public Mono<Optional<AdminCaller>> caller(String token, Secret bootstrapToken) {
        if (token == null) {
            return Mono.just(Optional.empty());
        }
        if (bootstrapToken.matches(token)) {
            return Mono.just(Optional.of(AdminCaller.BOOTSTRAP));
        }
        return looksLikeJwt(token) ? verify(token) : Mono.just(Optional.empty());
    }

    /** Whether a token has the shape of a JWT (three dot-separated parts). */
    public static boolean looksLikeJwt(String token) {
        return token != null && token.chars().filter(c -> c == '.').count() == 2;
    }

    /** The caller of a valid admin JWT; empty for anything else, and for every token until {@link #ready}. */
    public Mono<Optional<AdminCaller>> verify(String token) {
        if (!ready()) {
            return Mono.just(Optional.empty());
        }
        try {
            return Mono.just(verifyWithKnownKeys(token));
        } catch (UnknownKeyId e) {
            if (!refreshAllowed()) {
                return Mono.just(Optional.empty());
            }
            return refresh().then(Mono.fromCallable(() -> {
                try {
                    return verifyWithKnownKeys(token);
                } catch (UnknownKeyId stillUnknown) {
                    return Optional.<AdminCaller>empty();
                }
            }));
        }
    }

    private Optional<AdminCaller> verifyWithKnownKeys(String token) {
        try {
            Jws<Claims> jws = Jwts.parser()
                    .keyLocator(new LocatorAdapter<Key>() {
                        @Override
                        protected Key locate(ProtectedHeader header) {
                            PublicKey key = header.getKeyId() == null ? null : keys.get(header.getKeyId());
                            if (key == null) {
                                throw new UnknownKeyId();
                            }
                            return key;
                        }
                    })
                    .requireIssuer(settings.issuer())
                    .requireAudience(settings.audience())
                    .build()
                    .parseSignedClaims(token);
            Claims claims = jws.getPayload();
            if (!ALGORITHM.equals(jws.getHeader().getAlgorithm()) || claims.getExpiration() == null) {
                return Optional.empty();
            }
            String adminKeyId = claims.get(ADMIN_KEY_CLAIM, String.class);
            if (adminKeyId != null && revocations.isRevoked(adminKeyId)) {
                return Optional.empty();
            }
            String role = claims.get("role", String.class);
            return role == null
                    ? Optional.empty()
                    : Optional.of(new AdminCaller(claims.getSubject(), role, claims.get("tenant", String.class)));
        } catch (UnknownKeyId e) {
            throw e;
        } catch (JwtException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A token names a key id that is not in the JWK set as last fetched. */
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
        HttpRequest request = HttpRequest.newBuilder(settings.jwksUri())
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        return Mono.fromFuture(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .doOnNext(response -> {
                    if (response.statusCode() != 200) {
                        log.warn("admin JWK set answered {}", response.statusCode());
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
                    log.warn(
                            "could not fetch the admin JWK set: {}",
                            e.getClass().getSimpleName());
                    return Mono.empty();
                })
                .then();
    }
}
