package dev.symbolon.support.auth;

import dev.symbolon.contracts.Secret;
import dev.symbolon.support.web.CanonicalPathFilter;
import dev.symbolon.support.web.ErrorBody;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Of the actuator, only the health probes are public. Everything else under {@code /actuator}
 * ({@code /actuator/prometheus}) answers only a caller presenting the scrape token ({@code
 * symbolon.metrics.token}, {@code SYMBOLON_METRICS_TOKEN}; compared in constant time), and nobody at all
 * while no token is configured (404: a service that was not told who scrapes it exposes nothing). The
 * scrape token is its own credential: it opens metrics and nothing else, unlike the service token, so a
 * monitoring system never holds a key to {@code /internal/**}. Runs after {@link CanonicalPathFilter}:
 * no encoding, {@code ;} parameter or dot segment reaches an actuator endpoint around it.
 */
public final class MetricsAccessFilter implements WebFilter, Ordered {

    public static final String PREFIX = "/actuator";
    private static final String HEALTH = PREFIX + "/health";

    private final Secret token;

    /** @param token the scrape token; empty: no actuator endpoint but health answers anyone */
    public MetricsAccessFilter(Secret token) {
        this.token = token;
    }

    /** Whether a canonical path is an actuator endpoint other than the public health probes. */
    public static boolean isGuarded(String path) {
        boolean actuator = path.equals(PREFIX) || path.startsWith(PREFIX + "/");
        boolean health = path.equals(HEALTH) || path.startsWith(HEALTH + "/");
        return actuator && !health;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!isGuarded(exchange.getRequest().getPath().value())) {
            return chain.filter(exchange);
        }
        if (token.isEmpty()) {
            return ErrorBody.write(exchange, HttpStatus.NOT_FOUND, "not_found", "No such endpoint.");
        }
        if (token.matches(BearerToken.from(exchange.getRequest().getHeaders()))) {
            return chain.filter(exchange);
        }
        return ErrorBody.write(exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "A valid scrape token is required.");
    }

    @Override
    public int getOrder() {
        return ServiceTokenFilter.ORDER;
    }
}
