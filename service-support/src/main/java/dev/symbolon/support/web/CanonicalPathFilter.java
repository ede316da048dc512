package dev.symbolon.support.web;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * First on every request of every service: a path that is not {@link CanonicalPath canonical} is
 * answered 400 before any authorization or routing, so every later decision made on the raw path is a
 * decision on what the router matches.
 */
public final class CanonicalPathFilter implements WebFilter, Ordered {

    /** Runs before every other filter; authorization filters order themselves after it. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String problem = CanonicalPath.problem(exchange.getRequest().getPath().value());
        if (problem != null) {
            return ErrorBody.write(exchange, HttpStatus.BAD_REQUEST, "invalid_path", problem);
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
