package dev.symbolon.admin.auth;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.support.auth.JwksKeys;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.ProtectedHeader;
import java.net.URI;
import java.security.Key;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * JWTs from an external identity provider, verified against its JWK set: RS256 or ES256 only,
 * {@code iss}, {@code aud} and {@code exp} required, the Symbolon role (and a tenant-admin's tenant)
 * read from configured claims. The keys are service-support's {@link JwksKeys}: cached, and an
 * unknown {@code kid} refreshes the set asynchronously, at most every 30 seconds.
 */
@Component
class ExternalIdpTokens {

    private static final Set<String> ALGORITHMS = Set.of("RS256", "ES256");

    private final AdminProperties.ExternalIdp config;
    private final JwksKeys keys;

    ExternalIdpTokens(AdminProperties properties) {
        this.config = properties.externalIdp();
        this.keys = config.enabled() ? new JwksKeys(URI.create(config.jwksUri()), "identity provider's JWK set") : null;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /**
     * The principal of a valid token of the provider; empty for anything else. Never blocks: a key id
     * not seen yet is looked up in the provider's JWK set asynchronously.
     */
    public Mono<Optional<AdminPrincipal>> verify(String token) {
        if (!enabled()) {
            return Mono.just(Optional.empty());
        }
        return keys.verify(lookup -> verify(token, lookup));
    }

    private Optional<AdminPrincipal> verify(String token, JwksKeys.Lookup lookup) {
        try {
            Jws<Claims> jws = Jwts.parser()
                    .keyLocator(new LocatorAdapter<Key>() {
                        @Override
                        protected Key locate(ProtectedHeader header) {
                            if (!ALGORITHMS.contains(header.getAlgorithm())) {
                                throw new JwtException("algorithm not accepted");
                            }
                            return lookup.key(header.getKeyId());
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
}
