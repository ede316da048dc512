package dev.symbolon.support.testing;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Date;

/**
 * admin-api's signing key as a test plays it: an ES256 key pair under a key id, the JWK set admin-api
 * would serve at {@code /admin/.well-known/jwks.json}, and admin JWTs signed as admin-api signs them.
 */
public final class AdminJwks {

    /** What admin-api's JWTs are for. */
    public static final String AUDIENCE = "symbolon-admin-api";

    private final KeyPair signing = Jwts.SIG.ES256.keyPair().build();
    private final String kid;

    public AdminJwks(String kid) {
        this.kid = kid;
    }

    public String kid() {
        return kid;
    }

    public PrivateKey privateKey() {
        return signing.getPrivate();
    }

    /** The body of admin-api's JWK set: {@code {"keys":[<this key>]}}. */
    public String jwksJson() {
        return "{\"keys\":["
                + Jwks.json(Jwks.builder()
                        .key((ECPublicKey) signing.getPublic())
                        .id(kid)
                        .build())
                + "]}";
    }

    /** An admin JWT for a role (and, for a tenant admin, its tenant), valid for ten minutes. */
    public String jwt(String role, String tenant) {
        return jwt(
                signing.getPrivate(), kid, role, tenant, AUDIENCE, Instant.now().plusSeconds(600), null);
    }

    /** An admin JWT with every part chosen, for tests of what the verifier refuses. */
    public static String jwt(
            PrivateKey key, String kid, String role, String tenant, String audience, Instant expires, String akid) {
        return Jwts.builder()
                .header()
                .keyId(kid)
                .and()
                .issuer("symbolon-admin")
                .audience()
                .add(audience)
                .and()
                .subject("adm_" + role)
                .claim("role", role)
                .claim("tenant", tenant)
                .claim("akid", akid)
                .issuedAt(Date.from(Instant.now()))
                .expiration(Date.from(expires))
                .signWith(key, Jwts.SIG.ES256)
                .compact();
    }
}
