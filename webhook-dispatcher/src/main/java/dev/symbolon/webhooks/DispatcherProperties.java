package dev.symbolon.webhooks;

import dev.symbolon.contracts.Secret;
import dev.symbolon.support.auth.AdminJwtSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of webhook-dispatcher ({@code symbolon.dispatcher.*}).
 *
 * @param allowLoopbackTargets deliver to loopback addresses (local mode and tests only)
 * @param requireHttps refuse plain-HTTP endpoints (everywhere but local mode)
 * @param deliveryTimeout how long one attempt may take, connect to last byte
 * @param retrySchedule the wait before each retry after a failed attempt (jittered ±20 %); when it is
 *     used up the delivery is dead-lettered and the endpoint marked failing
 * @param maxInFlightPerEndpoint attempts in flight to one endpoint at a time, so one slow receiver
 *     cannot take every worker
 * @param pollInterval how often due deliveries are looked for (new ones are also started at once)
 * @param keyVault where the endpoints' signing secrets are read
 * @param adminToken the bootstrap platform-admin credential, accepted on {@code /webhooks/**}
 * @param adminJwt admin JWTs from admin-api, accepted on {@code /webhooks/**}
 */
@Validated
@ConfigurationProperties("symbolon.dispatcher")
public record DispatcherProperties(
        boolean allowLoopbackTargets,
        boolean requireHttps,
        @NotNull Duration deliveryTimeout,
        @NotEmpty List<Duration> retrySchedule,
        @Min(1) int maxInFlightPerEndpoint,
        @NotNull Duration pollInterval,
        @NotNull @Valid KeyVault keyVault,
        @NotNull Secret adminToken,
        @NotNull AdminJwtSettings adminJwt) {

    public record KeyVault(@NotNull URI baseUrl, @NotNull Secret serviceToken) {}
}
