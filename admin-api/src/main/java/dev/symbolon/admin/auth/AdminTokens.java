package dev.symbolon.admin.auth;

import dev.symbolon.admin.AdminProperties;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.EcPrivateJwk;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Short-lived admin JWTs: ES256 only (the algorithm is pinned on verification, so neither {@code none}
 * nor an HMAC confusion gets through), with {@code iss}, {@code aud} and {@code exp} required. The
 * public key is published as a JWK set, so other services verify without sharing a secret.
 */
@Component
public class AdminTokens {

    private static final Logger log = LoggerFactory.getLogger(AdminTokens.class);
    private static final String ALGORITHM = "ES256";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final PublicJwk<?> publicJwk;
    private final AdminProperties.Jwt config;
    private final Clock clock;

    @Autowired
    AdminTokens(AdminProperties properties) {
        this(properties.jwt(), Clock.systemUTC());
    }

    AdminTokens(AdminProperties.Jwt config, Clock clock) {
        this.config = config;
        this.clock = clock;
        EcPrivateJwk jwk;
        if (config.signingKey() == null || config.signingKey().isEmpty()) {
            log.warn("symbolon.admin.jwt.signing-key is not set: using a key generated for this process only");
            jwk = generate();
        } else {
            Jwk<?> parsed = Jwks.parser().build().parse(config.signingKey().reveal());
            if (!(parsed instanceof EcPrivateJwk ec)
                    || !"P-256".equals(ec.toPublicJwk().get("crv"))) {
                throw new IllegalArgumentException("symbolon.admin.jwt.signing-key must be a private EC P-256 JWK");
            }
            jwk = ec;
        }
        this.privateKey = jwk.toKey();
        this.publicJwk = jwk.toPublicJwk();
        this.publicKey = jwk.toPublicJwk().toKey();
    }

    /** A new signing key as a private JWK (JSON), e.g. for a deployment's secret store. */
    public static String newSigningKey() {
        return Jwks.UNSAFE_JSON(generate());
    }

    private static EcPrivateJwk generate() {
        KeyPair pair = Jwts.SIG.ES256.keyPair().build();
        return Jwks.builder().ecKeyPair(pair).idFromThumbprint().build();
    }

    /** The claim naming the admin key a token was bought with, so revoking the key ends the token. */
    public static final String ADMIN_KEY_CLAIM = "akid";

    /** A token for the principal, valid for the configured lifetime. */
    public IssuedToken issue(AdminPrincipal principal) {
        return issue(principal, null);
    }

    /**
     * A token for the principal; {@code adminKeyId} names the admin key presented for it (null for
     * the bootstrap token), and admin-api refuses the token once that key is revoked.
     */
    public IssuedToken issue(AdminPrincipal principal, String adminKeyId) {
        Instant now = clock.instant();
        Instant expires = now.plus(config.ttl());
        String token = Jwts.builder()
                .header()
                .keyId(publicJwk.getId())
                .and()
                .id(UUID.randomUUID().toString())
                .issuer(config.issuer())
                .audience()
                .add(config.audience())
                .and()
                .subject(principal.subject())
                .claim("role", principal.role().wireName())
                .claim("tenant", principal.tenantId())
                .claim(ADMIN_KEY_CLAIM, adminKeyId)
                .issuedAt(Date.from(now))
                .expiration(Date.from(expires))
                .signWith(privateKey, Jwts.SIG.ES256)
                .compact();
        return new IssuedToken(token, config.ttl());
    }

    /** The principal of a valid token; empty for anything else (bad signature, expired, wrong issuer…). */
    public Optional<AdminPrincipal> verify(String token) {
        return verifyWithKey(token).map(Verified::principal);
    }

    /** A valid token's principal and the admin key it was bought with (null when none). */
    public record Verified(AdminPrincipal principal, String adminKeyId) {}

    public Optional<Verified> verifyWithKey(String token) {
        try {
            Jws<Claims> jws = Jwts.parser()
                    .verifyWith(publicKey)
                    .requireIssuer(config.issuer())
                    .requireAudience(config.audience())
                    .clock(() -> Date.from(clock.instant()))
                    .build()
                    .parseSignedClaims(token);
            if (!ALGORITHM.equals(jws.getHeader().getAlgorithm())
                    || jws.getPayload().getExpiration() == null) {
                return Optional.empty();
            }
            Claims claims = jws.getPayload();
            return Role.fromWireName(claims.get("role", String.class))
                    .map(role -> new Verified(
                            new AdminPrincipal(claims.getSubject(), role, claims.get("tenant", String.class)),
                            claims.get(ADMIN_KEY_CLAIM, String.class)));
        } catch (JwtException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The JWK set other services verify admin tokens with. */
    public String jwks() {
        return "{\"keys\":[" + Jwks.json(publicJwk) + "]}";
    }

    /** @param expiresIn the token's lifetime */
    public record IssuedToken(String token, Duration expiresIn) {
        @Override
        public String toString() {
            return "IssuedToken[expiresIn=" + expiresIn + "]";
        }
    }
}
