package dev.symbolon.analytics.web;

import dev.symbolon.analytics.AnalyticsProperties;
import java.nio.charset.StandardCharsets;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Who may read what under {@code /analytics/**}, as in admin-api: the bootstrap admin token or an
 * admin JWT from admin-api. {@code platform-admin} and {@code finance} see every tenant and edit
 * prices; a {@code tenant-admin} reads only its own tenant (another tenant's id is a 404, as if it did
 * not exist) and edits nothing; other roles get 403.
 */
@Component
@Order(0)
public class AdminTokenFilter implements WebFilter {

    /** Exchange attribute holding the caller's subject (who changed a price, for the record). */
    public static final String CALLER = AdminTokenFilter.class.getName() + ".caller";

    private static final String BEARER = "Bearer ";

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
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
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
                caller.role().equals("platform-admin") || caller.role().equals("finance");
        if (!everyTenant && !caller.role().equals("tenant-admin")) {
            return refuse(
                    exchange,
                    HttpStatus.FORBIDDEN,
                    "forbidden",
                    "Your role (" + caller.role() + ") may not read usage.");
        }
        if (!everyTenant) {
            if (request.getMethod() != HttpMethod.GET) {
                return refuse(exchange, HttpStatus.FORBIDDEN, "forbidden", "Your role (tenant-admin) may only read.");
            }
            String tenantId = request.getQueryParams().getFirst("tenantId");
            if (tenantId == null || !tenantId.equals(caller.tenantId())) {
                return refuse(exchange, HttpStatus.NOT_FOUND, "not_found", "No such tenant.");
            }
        }
        exchange.getAttributes().put(CALLER, caller.subject());
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
