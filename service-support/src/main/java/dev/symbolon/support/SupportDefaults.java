package dev.symbolon.support;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Safe defaults every service starts from, at the lowest precedence (a service's own yml, the
 * environment or the command line override each):
 *
 * <ul>
 *   <li>listen on the loopback interface unless {@code SYMBOLON_BIND_ADDRESS} says otherwise (the
 *       container image sets {@code 0.0.0.0}; its network is the boundary there);
 *   <li>of the actuator, {@code /actuator/health/**} for anyone (no discovery root, no details; the
 *       readiness group names the components that are not ready) and {@code /actuator/prometheus}
 *       for the holder of {@code SYMBOLON_METRICS_TOKEN} (see {@code MetricsAccessFilter}); every
 *       meter tagged with the service's {@code application} name;
 *   <li>no generated API documentation (admin-api turns its public document back on);
 *   <li>at most {@code SYMBOLON_MAX_CONNECTIONS_PER_ADDRESS} (256) connections per client address,
 *       except from {@code SYMBOLON_UNLIMITED_ADDRESSES} (CIDRs of load balancers and proxies);
 *   <li>a JSON number with a fraction is not a whole number: {@code 1.5} for an integer field is a 400,
 *       never silently 1.
 * </ul>
 */
public final class SupportDefaults implements EnvironmentPostProcessor {

    static final String NAME = "symbolonSupportDefaults";

    private static final Map<String, Object> DEFAULTS = Map.ofEntries(
            Map.entry("server.address", "${SYMBOLON_BIND_ADDRESS:127.0.0.1}"),
            Map.entry("management.endpoints.web.exposure.include", "health,prometheus"),
            Map.entry("management.endpoint.health.group.readiness.show-components", "always"),
            Map.entry("management.metrics.tags.application", "${spring.application.name:symbolon}"),
            Map.entry("symbolon.metrics.token", "${SYMBOLON_METRICS_TOKEN:}"),
            Map.entry("management.endpoints.web.discovery.enabled", "false"),
            Map.entry("management.endpoint.health.show-details", "never"),
            Map.entry("management.endpoint.health.show-components", "never"),
            Map.entry("springdoc.api-docs.enabled", "false"),
            Map.entry("springdoc.swagger-ui.enabled", "false"),
            Map.entry("spring.jackson.deserialization.accept-float-as-int", "false"),
            Map.entry("symbolon.server.max-connections-per-address", "${SYMBOLON_MAX_CONNECTIONS_PER_ADDRESS:256}"),
            Map.entry("symbolon.server.unlimited-addresses", "${SYMBOLON_UNLIMITED_ADDRESSES:}"));

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getPropertySources().contains(NAME)) {
            environment.getPropertySources().addLast(new MapPropertySource(NAME, DEFAULTS));
        }
    }
}
