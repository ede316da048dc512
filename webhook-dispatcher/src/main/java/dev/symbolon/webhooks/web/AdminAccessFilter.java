package dev.symbolon.webhooks.web;

import dev.symbolon.webhooks.DispatcherProperties;
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

/**
 * Who may see and act on deliveries under {@code /webhooks/tenants/{tenantId}/**}, as in admin-api:
 * the bootstrap admin token or an admin JWT from admin-api. {@code platform-admin} and
 * {@code security-officer} reach every tenant; a {@code tenant-admin} only its own (another tenant is
 * a 404, as if it did not exist); other roles get 403.
 */
@Component
@Order(0)
class AdminAccessFilter implements WebFilter {

    private static final String BEARER = "Bearer ";
    private static final String PREFIX = "/webhooks/tenants/";

    private final DispatcherProperties properties;
    private final AdminJwtVerifier jwts;

    AdminAccessFilter(DispatcherProperties properties, AdminJwtVerifier jwts) {
        this.properties = properties;
        this.jwts = jwts;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (!path.startsWith("/webhooks/")) {
            return chain.filter(exchange);
        }
        String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        String token = authorization != null && authorization.startsWith(BEARER)
                ? authorization.substring(BEARER.length())
                : null;
        AdminJwtVerifier.Caller caller;
        if (properties.adminToken().matches(token)) {
            caller = new AdminJwtVerifier.Caller("bootstrap", "platform-admin", null);
        } else if (token != null && token.chars().filter(c -> c == '.').count() == 2) {
            caller = jwts.verify(token).orElse(null);
        } else {
            caller = null;
        }
        if (caller == null) {
            return refuse(exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "A valid admin token is required.");
        }
        boolean everyTenant =
                caller.role().equals("platform-admin") || caller.role().equals("security-officer");
        if (!everyTenant && !caller.role().equals("tenant-admin")) {
            return refuse(exchange, HttpStatus.FORBIDDEN, "forbidden", "Your role may not manage webhook deliveries.");
        }
        if (!path.startsWith(PREFIX)) {
            return refuse(exchange, HttpStatus.NOT_FOUND, "not_found", "No such route.");
        }
        String rest = path.substring(PREFIX.length());
        String tenantId = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        if (!everyTenant && !tenantId.equals(caller.tenantId())) {
            return refuse(exchange, HttpStatus.NOT_FOUND, "not_found", "No such tenant.");
        }
        return chain.filter(exchange);
    }

    private static Mono<Void> refuse(ServerWebExchange exchange, HttpStatus status, String type, String message) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        byte[] body = ("{\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
