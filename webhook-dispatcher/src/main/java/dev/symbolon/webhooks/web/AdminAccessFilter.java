package dev.symbolon.webhooks.web;

import dev.symbolon.support.auth.AdminCaller;
import dev.symbolon.support.auth.AdminJwtVerifier;
import dev.symbolon.webhooks.DispatcherProperties;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Who may see and act on deliveries under {@code /webhooks/tenants/{tenantId}/**} (service-support's
 * admin access decides who is an admin at all). {@code platform-admin} and {@code security-officer}
 * reach every tenant; a {@code tenant-admin} only its own (another tenant is a 404, as if it did not
 * exist); other roles get 403.
 */
@Component
@Order(0)
class AdminAccessFilter extends dev.symbolon.support.auth.AdminAccessFilter {

    private static final String PREFIX = "/webhooks/tenants/";

    AdminAccessFilter(DispatcherProperties properties, AdminJwtVerifier jwts) {
        super("/webhooks/", jwts, properties.adminToken());
    }

    @Override
    protected Mono<Void> authorize(ServerWebExchange exchange, WebFilterChain chain, AdminCaller caller) {
        String path = exchange.getRequest().getPath().value();
        boolean everyTenant =
                caller.role().equals("platform-admin") || caller.role().equals("security-officer");
        if (!everyTenant && !caller.role().equals("tenant-admin")) {
            return forbidden(exchange, "Your role may not manage webhook deliveries.");
        }
        if (!path.startsWith(PREFIX)) {
            return notFound(exchange, "No such route.");
        }
        String rest = path.substring(PREFIX.length());
        String tenantId = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        if (!everyTenant && !tenantId.equals(caller.tenantId())) {
            return notFound(exchange, "No such tenant.");
        }
        return chain.filter(exchange);
    }
}
