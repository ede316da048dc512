package dev.symbolon.analytics;

import dev.symbolon.contracts.Secret;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of usage-analytics-service ({@code symbolon.analytics.*}).
 *
 * @param adminToken the bootstrap platform-admin credential, required as a bearer token on {@code
 *     /analytics/**} until admin-api issues role-scoped tokens
 */
@Validated
@ConfigurationProperties("symbolon.analytics")
public record AnalyticsProperties(@NotNull Secret adminToken) {}
