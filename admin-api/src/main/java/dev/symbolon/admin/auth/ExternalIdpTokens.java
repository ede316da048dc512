package dev.symbolon.admin.auth;

import dev.symbolon.admin.AdminProperties;
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
import java.security.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * JWTs from an external identity provider, verified against its JWK set: RS256 or ES256 only,
 * {@code iss}, {@code aud} and {@code exp} required, the Symbolon role (and a tenant-admin's tenant)
 * read from configured claims. Keys are cached; an unknown {@code kid} refreshes the set, at most
 * every 30 seconds, so a key rotation at the provider is picked up without letting tokens with random
 * key ids hammer it.
 */
@Component
class ExternalIdpTokens {

    private static final Logger log = LoggerFactory.getLogger(ExternalIdpTokens.class);
    private static final Set<String> ALGORITHMS = Set.of("RS256", "ES256");
    private static final Duration MIN_REFRESH = Duration.ofSeconds(30);

    private final AdminProperties.ExternalIdp config;
    private final RestClient http;
    private final Map<String, Key> keys = new ConcurrentHashMap<>();
    private volatile Instant lastRefresh = Instant.EPOCH;

    ExternalIdpTokens(AdminProperties properties) {
        this.config = properties.externalIdp();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build());
        requests.setReadTimeout(Duration.ofSeconds(5));
        this.http = RestClient.builder().requestFactory(requests).build();
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** The principal of a valid token of the provider; empty for anything else. May fetch the JWK set. */
    public Optional<AdminPrincipal> verify(String token) {
        if (!enabled()) {
            return Optional.empty();
        }
        try {
            Jws<Claims> jws = Jwts.parser()
                    .keyLocator(new LocatorAdapter<Key>() {
                        @Override
                        protected Key locate(ProtectedHeader header) {
                            if (!ALGORITHMS.contains(header.getAlgorithm())) {
                                throw new JwtException("algorithm not accepted");
                            }
                            return key(header.getKeyId());
                        }
                    })
                    .requireIssuer(config.issuer())
                    .requireAudience(config.audience())
                    .build()
                    .parseSignedClaims(token);
            Claims claims = jws.getPayload();
            if (claims.getExpiration() == null || claims.getSubject() == null) {
                return Optional.empty();
            }
            Optional<Role> role = Role.fromWireName(claims.get(config.roleClaim(), String.class));
            String tenant = claims.get(config.tenantClaim(), String.class);
            if (role.isEmpty() || (role.get() == Role.TENANT_ADMIN) != (tenant != null)) {
                return Optional.empty();
            }
            return Optional.of(new AdminPrincipal("idp:" + claims.getSubject(), role.get(), tenant));
        } catch (JwtException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Key key(String kid) {
        if (kid == null) {
            throw new JwtException("a key id is required");
        }
        Key key = keys.get(kid);
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
            String body = http.get().uri(config.jwksUri()).retrieve().body(String.class);
            JwkSet set = Jwks.setParser().build().parse(body);
            for (Jwk<?> jwk : set) {
                if (jwk.getId() != null && jwk.toKey() instanceof java.security.PublicKey) {
                    keys.put(jwk.getId(), jwk.toKey());
                }
            }
        } catch (RestClientException | JwtException | IllegalArgumentException e) {
            log.warn("could not refresh the identity provider's JWK set: {}", e.toString());
        }
    }
}
