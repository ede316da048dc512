package dev.symbolon.support.auth;

import java.net.URI;
import java.util.Objects;

/**
 * Where admin-api's JWK set is and what its admin JWTs must say. A service that accepts admin JWTs
 * declares this as a bean; service-support then provides the {@link AdminJwtVerifier} and the view of
 * revoked admin keys it consults.
 */
public record AdminJwtSettings(URI jwksUri, String issuer, String audience) {

    public AdminJwtSettings {
        Objects.requireNonNull(jwksUri, "jwksUri");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
    }
}
