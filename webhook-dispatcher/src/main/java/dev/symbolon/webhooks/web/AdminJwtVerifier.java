package dev.symbolon.webhooks.web;

import dev.symbolon.webhooks.DispatcherProperties;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.ProtectedHeader;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.net.URI;
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
import org.springframework.stereotype.Component;

/**
 * Verifies admin JWTs issued by admin-api: algorithm pinned to ES256, issuer, audience and expiry
 * checked, key looked up by {@code kid} in admin-api's JWK set. The set is fetched when a token names
 * a key id not seen yet, at most every 30 s, so a forged {@code kid} cannot make this service hammer
 * admin-api.
 */
@Component
class AdminJwtVerifier {

    private static final Logger log = LoggerFactory.getLogger(AdminJwtVerifier.class);
    private static final Duration MIN_REFRESH = Duration.ofSeconds(30);

    private final DispatcherProperties.AdminJwt config;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private volatile Instant lastRefresh = Instant.EPOCH;

    AdminJwtVerifier(DispatcherProperties properties) {
        this.config = properties.adminJwt();
    }

    /** The caller of a valid token; empty for anything else. */
    Optional<Caller> verify(String token) {
        try {
            Jws<Claims> jws = Jwts.parser()
                    .keyLocator(new LocatorAdapter<Key>() {
                        @Override
                        protected Key locate(ProtectedHeader header) {
                            return key(header.getKeyId());
                        }
                    })
                    .requireIssuer(config.issuer())
                    .requireAudience(config.audience())
                    .build()
                    .parseSignedClaims(token);
            Claims claims = jws.getPayload();
            if (!"ES256".equals(jws.getHeader().getAlgorithm()) || claims.getExpiration() == null) {
                return Optional.empty();
            }
            String role = claims.get("role", String.class);
            return role == null
                    ? Optional.empty()
                    : Optional.of(new Caller(claims.getSubject(), role, claims.get("tenant", String.class)));
        } catch (JwtException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Key key(String kid) {
        if (kid == null) {
            throw new JwtException("no key id");
        }
        PublicKey key = keys.get(kid);
        if (key == null && refreshAllowed()) {
            refresh();
            key = keys.get(kid);
        }
        if (key == null) {
            throw new JwtException("unknown key id");
        }
        return key;
    }

    private synchronized boolean refreshAllowed() {
        Instant now = Instant.now();
        if (now.isBefore(lastRefresh.plus(MIN_REFRESH))) {
            return false;
        }
        lastRefresh = now;
        return true;
    }

    private void refresh() {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(config.jwksUri().toString()))
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
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
        } catch (java.io.IOException | JwtException | IllegalArgumentException e) {
            log.warn("could not fetch the admin JWK set: {}", e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Who called: admin subject, role (wire name) and, for tenant admins, their tenant. */
    record Caller(String subject, String role, String tenantId) {}
}
