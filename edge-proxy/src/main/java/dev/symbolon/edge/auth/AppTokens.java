package dev.symbolon.edge.auth;

import dev.symbolon.edge.EdgeProperties;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.SecretKey;
import org.springframework.stereotype.Component;

/**
 * App tokens: a short-lived JWT an app gets for its credential ({@code POST /auth/token}), so a
 * client can hold something that expires instead of the long-lived key. HS256 only (pinned: {@code
 * none} and every other algorithm are refused), {@code iss}, {@code aud} and {@code exp} required. The
 * token names the credential it came from; the edge accepts it only while that credential is active.
 */
@Component
public class AppTokens {

    static final String ISSUER = "symbolon-edge";
    static final String AUDIENCE = "symbolon-edge";

    private final SecretKey key;
    private final Duration ttl;

    AppTokens(EdgeProperties properties) {
        byte[] bytes = properties.appTokens().signingKey().revealBytes();
        if (bytes.length < 32) {
            throw new IllegalArgumentException("symbolon.edge.app-tokens.signing-key must have at least 32 bytes");
        }
        this.key = Keys.hmacShaKeyFor(bytes);
        this.ttl = properties.appTokens().ttl();
    }

    /**
     * What a valid token says.
     *
     * @param tokenId its {@code jti}, the handle of a revocation
     */
    public record Claims(String tenantId, String appId, String credentialId, String tokenId, Instant expiresAt) {}

    public String issue(String tenantId, String appId, String credentialId) {
        Instant now = Instant.now();
        return Jwts.builder()
                .id(UUID.randomUUID().toString())
                .issuer(ISSUER)
                .audience()
                .add(AUDIENCE)
                .and()
                .subject(appId)
                .claim("tenant", tenantId)
                .claim("cred", credentialId)
                .issuedAt(Date.from(now))
                .expiration(Date.from(now.plus(ttl)))
                .signWith(key, Jwts.SIG.HS256)
                .compact();
    }

    public Duration ttl() {
        return ttl;
    }

    public Optional<Claims> verify(String token) {
        try {
            Jws<io.jsonwebtoken.Claims> jws = Jwts.parser()
                    .verifyWith(key)
                    .requireIssuer(ISSUER)
                    .requireAudience(AUDIENCE)
                    .build()
                    .parseSignedClaims(token);
            io.jsonwebtoken.Claims claims = jws.getPayload();
            if (!"HS256".equals(jws.getHeader().getAlgorithm()) || claims.getExpiration() == null) {
                return Optional.empty();
            }
            String tenant = claims.get("tenant", String.class);
            String credential = claims.get("cred", String.class);
            if (tenant == null || credential == null || claims.getSubject() == null || claims.getId() == null) {
                return Optional.empty();
            }
            return Optional.of(new Claims(
                    tenant,
                    claims.getSubject(),
                    credential,
                    claims.getId(),
                    claims.getExpiration().toInstant()));
        } catch (JwtException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether a presented credential has the shape of a token rather than an app key. */
    public static boolean looksLikeToken(String credential) {
        return credential != null && credential.chars().filter(c -> c == '.').count() == 2;
    }
}
