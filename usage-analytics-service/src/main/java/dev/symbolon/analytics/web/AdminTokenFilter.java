package dev.symbolon.analytics.web;

import dev.symbolon.analytics.AnalyticsProperties;
import dev.symbolon.support.auth.AdminAccessFilter;
import dev.symbolon.support.auth.AdminCaller;
import dev.symbolon.support.auth.AdminJwtVerifier;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Who may read what under {@code /analytics/**} (service-support's admin access decides who is an
 * admin at all). {@code platform-admin} and {@code finance} see every tenant and edit prices; a
 * {@code tenant-admin} reads only its own tenant (another tenant's id is a 404, as if it did not
 * exist) and edits nothing; other roles get 403.
 */
@Component
@Order(0)
public class AdminTokenFilter extends AdminAccessFilter {

    AdminTokenFilter(AnalyticsProperties properties, AdminJwtVerifier jwts) {
        super("/analytics/", jwts, properties.adminToken());
    }

    @Override
    protected Mono<Void> authorize(ServerWebExchange exchange, WebFilterChain chain, AdminCaller caller) {
        boolean everyTenant =
                caller.role().equals("platform-admin") || caller.role().equals("finance");
        if (!everyTenant && !caller.role().equals("tenant-admin")) {
            return forbidden(exchange, "Your role (" + caller.role() + ") may not read usage.");
        }
        if (!everyTenant) {
            if (exchange.getRequest().getMethod() != HttpMethod.GET) {
                return forbidden(exchange, "Your role (tenant-admin) may only read.");
            }
            String tenantId = exchange.getRequest().getQueryParams().getFirst("tenantId");
            if (tenantId == null || !tenantId.equals(caller.tenantId())) {
                return notFound(exchange, "No such tenant.");
            }
        }
        return chain.filter(exchange);
    }
}
