package dev.symbolon.webhooks;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of webhook-dispatcher ({@code symbolon.dispatcher.*}).
 *
 * @param allowLoopbackTargets lets endpoints on loopback addresses receive deliveries; for local mode
 *     and tests only, never in production (SSRF)
 * @param deliveryTimeout how long one delivery attempt may take
 */
@Validated
@ConfigurationProperties("symbolon.dispatcher")
public record DispatcherProperties(boolean allowLoopbackTargets, @NotNull Duration deliveryTimeout) {}
