package dev.symbolon.support.auth;

import dev.symbolon.contracts.Secret;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.ProtectedHeader;
import java.security.Key;
import java.util.Optional;
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

    private static final String ALGORITHM = "ES256";

    private final AdminJwtSettings settings;
    private final AdminKeyRevocations revocations;
    private final JwksKeys keys;

    public AdminJwtVerifier(AdminJwtSettings settings, AdminKeyRevocations revocations) {
        this.settings = settings;
        this.revocations = revocations;
        this.keys = new JwksKeys(settings.jwksUri(), "admin JWK set");
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
        return keys.verify(lookup -> verify(token, lookup));
    }

    private Optional<AdminCaller> verify(String token, JwksKeys.Lookup lookup) {
        try {
            Jws<Claims> jws = Jwts.parser()
                    .keyLocator(new LocatorAdapter<Key>() {
                        @Override
                        protected Key locate(ProtectedHeader header) {
                            return lookup.key(header.getKeyId());
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
        } catch (JwtException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
