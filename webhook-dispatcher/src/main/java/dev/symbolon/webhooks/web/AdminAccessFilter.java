package dev.symbolon.webhooks.web;

import dev.symbolon.support.auth.AdminCaller;
import dev.symbolon.support.auth.AdminJwtVerifier;
import dev.symbolon.support.auth.BearerToken;
import dev.symbolon.support.web.ErrorBody;
import dev.symbolon.webhooks.DispatcherProperties;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Who may see and act on deliveries under {@code /webhooks/tenants/{tenantId}/**}, as in admin-api:
 * the bootstrap admin token or an admin JWT from admin-api (not bought with a revoked admin key). {@code platform-admin} and
 * {@code security-officer} reach every tenant; a {@code tenant-admin} only its own (another tenant is
 * a 404, as if it did not exist); other roles get 403.
 */
@Component
@Order(0)
class AdminAccessFilter implements WebFilter {

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
        String token = BearerToken.from(exchange.getRequest().getHeaders());
        if (AdminJwtVerifier.looksLikeJwt(token) && !jwts.ready()) {
            return ErrorBody.write(
                    exchange, HttpStatus.SERVICE_UNAVAILABLE, "not_ready", "Revoked admin keys are still being read.");
        }
        return jwts.caller(token, properties.adminToken())
                .flatMap(found -> authorize(exchange, chain, found.orElse(null)));
    }

    private Mono<Void> authorize(ServerWebExchange exchange, WebFilterChain chain, AdminCaller caller) {
        String path = exchange.getRequest().getPath().value();
        if (caller == null) {
            return ErrorBody.write(
                    exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "A valid admin token is required.");
        }
        boolean everyTenant =
                caller.role().equals("platform-admin") || caller.role().equals("security-officer");
        if (!everyTenant && !caller.role().equals("tenant-admin")) {
            return ErrorBody.write(
                    exchange, HttpStatus.FORBIDDEN, "forbidden", "Your role may not manage webhook deliveries.");
        }
        if (!path.startsWith(PREFIX)) {
            return ErrorBody.write(exchange, HttpStatus.NOT_FOUND, "not_found", "No such route.");
        }
        String rest = path.substring(PREFIX.length());
        String tenantId = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        if (!everyTenant && !tenantId.equals(caller.tenantId())) {
            return ErrorBody.write(exchange, HttpStatus.NOT_FOUND, "not_found", "No such tenant.");
        }
        return chain.filter(exchange);
    }
}
