package dev.symbolon.analytics.web;

import dev.symbolon.analytics.AnalyticsProperties;
import java.nio.charset.StandardCharsets;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** {@code /internal/**} is for other services only: the service token, compared in constant time. */
@Component
@Order(0)
class ServiceTokenFilter implements WebFilter {

    private static final String BEARER = "Bearer ";
    private static final byte[] UNAUTHORIZED =
            "{\"error\":{\"type\":\"unauthorized\",\"message\":\"A valid service token is required.\"}}"
                    .getBytes(StandardCharsets.UTF_8);

    private final AnalyticsProperties properties;

    ServiceTokenFilter(AnalyticsProperties properties) {
        this.properties = properties;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith("/internal/")) {
            return chain.filter(exchange);
        }
        String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        String token = authorization != null && authorization.startsWith(BEARER)
                ? authorization.substring(BEARER.length())
                : null;
        if (properties.serviceToken().matches(token)) {
            return chain.filter(exchange);
        }
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(UNAUTHORIZED)));
    }
}
