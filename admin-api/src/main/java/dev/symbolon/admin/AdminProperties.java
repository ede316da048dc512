package dev.symbolon.admin;

import dev.symbolon.contracts.Secret;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of admin-api ({@code symbolon.admin.*}).
 *
 * @param bootstrapToken the bootstrap platform-admin credential (printed by the local stack)
 * @param credentialPepper key of the HMAC under which app and admin credentials are hashed; the edge
 *     hashes presented credentials with the same value
 * @param serviceToken what other services present on {@code /internal/**} (the edge revoking app tokens)
 * @param jwt the short-lived admin tokens this service issues
 * @param keyVault where webhook signing secrets are kept
 * @param webhooks rules for webhook endpoint URLs
 * @param externalIdp an identity provider whose JWTs are accepted too; off when its JWKS URI is unset
 */
@Validated
@ConfigurationProperties("symbolon.admin")
public record AdminProperties(
        @NotNull Secret bootstrapToken,
        @NotNull Secret credentialPepper,
        @NotNull Secret serviceToken,
        @NotNull @Valid Jwt jwt,
        @NotNull @Valid KeyVault keyVault,
        @NotNull @Valid Webhooks webhooks,
        @NotNull @Valid ExternalIdp externalIdp) {

    /** @param serviceToken bearer token of key-vault-service's {@code /internal/**} */
    public record KeyVault(@NotNull URI baseUrl, @NotNull Secret serviceToken) {}

    /**
     * Endpoint URLs are checked with the dispatcher's rule ({@code TargetGuard}) when registered.
     *
     * @param requireHttps refuse {@code http://} endpoint URLs (off only in local mode)
     * @param allowLoopback accept loopback targets (local mode only; nothing else internal ever)
     */
    public record Webhooks(boolean requireHttps, boolean allowLoopback) {}

    /**
     * @param jwksUri where the provider publishes its signing keys; empty turns the feature off
     * @param issuer required {@code iss}
     * @param audience required {@code aud}
     * @param roleClaim claim holding the Symbolon role ({@code platform-admin}, …)
     * @param tenantClaim claim holding the tenant of a tenant-admin
     */
    public record ExternalIdp(String jwksUri, String issuer, String audience, String roleClaim, String tenantClaim) {

        public boolean enabled() {
            return jwksUri != null && !jwksUri.isBlank();
        }
    }

    /**
     * @param signingKey private EC P-256 key as a JWK (JSON); when empty, a key is generated at start-up,
     *     so tokens die with the process and replicas cannot share them: set it in production
     * @param issuer {@code iss} of issued tokens, required on verification
     * @param audience {@code aud} of issued tokens, required on verification
     * @param ttl lifetime of an issued token
     */
    public record Jwt(Secret signingKey, @NotBlank String issuer, @NotBlank String audience, @NotNull Duration ttl) {}
}
