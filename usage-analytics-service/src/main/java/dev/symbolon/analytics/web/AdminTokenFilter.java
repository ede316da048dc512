package dev.symbolon.analytics.web;

import dev.symbolon.analytics.AnalyticsProperties;
import dev.symbolon.support.auth.AdminCaller;
import dev.symbolon.support.auth.AdminJwtVerifier;
import dev.symbolon.support.auth.BearerToken;
import dev.symbolon.support.web.ErrorBody;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Who may read what under {@code /analytics/**}, as in admin-api: the bootstrap admin token or an
 * admin JWT from admin-api (not bought with a revoked admin key). {@code platform-admin} and {@code finance} see every tenant and edit
 * prices; a {@code tenant-admin} reads only its own tenant (another tenant's id is a 404, as if it did
 * not exist) and edits nothing; other roles get 403.
 */
@Component
@Order(0)
public class AdminTokenFilter implements WebFilter {

    /** Exchange attribute holding the caller's subject (who changed a price, for the record). */
    public static final String CALLER = AdminTokenFilter.class.getName() + ".caller";

    /** Exchange attribute holding the caller's role, for the audit entry of a change. */
    public static final String ROLE = AdminTokenFilter.class.getName() + ".role";

    private final AnalyticsProperties properties;
    private final AdminJwtVerifier jwts;

    AdminTokenFilter(AnalyticsProperties properties, AdminJwtVerifier jwts) {
        this.properties = properties;
        this.jwts = jwts;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (!request.getPath().value().startsWith("/analytics/")) {
            return chain.filter(exchange);
        }
        String token = BearerToken.from(request.getHeaders());
        if (AdminJwtVerifier.looksLikeJwt(token) && !jwts.ready()) {
            return ErrorBody.write(
                    exchange, HttpStatus.SERVICE_UNAVAILABLE, "not_ready", "Revoked admin keys are still being read.");
        }
        return jwts.caller(token, properties.adminToken())
                .flatMap(found -> authorize(exchange, chain, found.orElse(null)));
    }

    private Mono<Void> authorize(ServerWebExchange exchange, WebFilterChain chain, AdminCaller caller) {
        ServerHttpRequest request = exchange.getRequest();
        if (caller == null) {
            return ErrorBody.write(
                    exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "A valid admin token is required.");
        }
        boolean everyTenant =
                caller.role().equals("platform-admin") || caller.role().equals("finance");
        if (!everyTenant && !caller.role().equals("tenant-admin")) {
            return ErrorBody.write(
                    exchange,
                    HttpStatus.FORBIDDEN,
                    "forbidden",
                    "Your role (" + caller.role() + ") may not read usage.");
        }
        if (!everyTenant) {
            if (request.getMethod() != HttpMethod.GET) {
                return ErrorBody.write(
                        exchange, HttpStatus.FORBIDDEN, "forbidden", "Your role (tenant-admin) may only read.");
            }
            String tenantId = request.getQueryParams().getFirst("tenantId");
            if (tenantId == null || !tenantId.equals(caller.tenantId())) {
                return ErrorBody.write(exchange, HttpStatus.NOT_FOUND, "not_found", "No such tenant.");
            }
        }
        exchange.getAttributes().put(CALLER, caller.subject());
        exchange.getAttributes().put(ROLE, caller.role());
        return chain.filter(exchange);
    }
}
