package dev.symbolon.analytics;

import dev.symbolon.contracts.Secret;
import dev.symbolon.support.auth.AdminJwtSettings;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of usage-analytics-service ({@code symbolon.analytics.*}).
 *
 * @param adminToken the bootstrap platform-admin credential; accepted as a bearer token next to admin JWTs
 *     ({@code adminJwt}) on {@code /analytics/**}
 * @param serviceToken what other services (the edge) present on {@code /internal/**}
 */
@Validated
@ConfigurationProperties("symbolon.analytics")
public record AnalyticsProperties(
        @NotNull Secret adminToken, @NotNull Secret serviceToken, @NotNull AdminJwtSettings adminJwt) {}
