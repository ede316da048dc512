package dev.symbolon.support.auth;

import dev.symbolon.support.web.CanonicalPathFilter;
import dev.symbolon.support.web.ErrorBody;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * {@code /internal} and everything below it answer only callers presenting the service token
 * (compared in constant time). It runs after {@link CanonicalPathFilter}, so the path it decides on
 * is the path the router matches: no encoding, {@code ;} parameter or dot segment reaches an internal
 * route around it.
 */
public final class ServiceTokenFilter implements WebFilter, Ordered {

    public static final String PREFIX = "/internal";
    public static final int ORDER = CanonicalPathFilter.ORDER + 10;

    private final ServiceToken token;

    public ServiceTokenFilter(ServiceToken token) {
        this.token = token;
    }

    /** Whether a canonical path is one of the internal routes. */
    public static boolean isInternal(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!isInternal(exchange.getRequest().getPath().value())) {
            return chain.filter(exchange);
        }
        if (token.matches(BearerToken.from(exchange.getRequest().getHeaders()))) {
            return chain.filter(exchange);
        }
        return ErrorBody.write(exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "A valid service token is required.");
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
