package dev.symbolon.support.auth;

import dev.symbolon.contracts.Secret;
import dev.symbolon.support.web.ErrorBody;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Admin access to a service's own routes under one path prefix, as in admin-api: the bootstrap admin
 * token or an admin JWT from admin-api (not bought with a revoked admin key). Without one the answer is
 * 401; while revoked admin keys are still being read, a JWT gets 503. The caller is attached to the
 * exchange ({@link AdminCaller#of}) and the service decides what its role may do ({@link #authorize}).
 */
public abstract class AdminAccessFilter implements WebFilter {

    private final String prefix;
    private final AdminJwtVerifier jwts;
    private final Secret bootstrapToken;

    protected AdminAccessFilter(String prefix, AdminJwtVerifier jwts, Secret bootstrapToken) {
        this.prefix = prefix;
        this.jwts = jwts;
        this.bootstrapToken = bootstrapToken;
    }

    /** What this caller may do here: continue the chain, or answer with {@link ErrorBody#write}. */
    protected abstract Mono<Void> authorize(ServerWebExchange exchange, WebFilterChain chain, AdminCaller caller);

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith(prefix)) {
            return chain.filter(exchange);
        }
        String token = BearerToken.from(exchange.getRequest().getHeaders());
        if (AdminJwtVerifier.looksLikeJwt(token) && !jwts.ready()) {
            return ErrorBody.write(
                    exchange, HttpStatus.SERVICE_UNAVAILABLE, "not_ready", "Revoked admin keys are still being read.");
        }
        return jwts.caller(token, bootstrapToken).flatMap(found -> {
            if (found.isEmpty()) {
                return ErrorBody.write(
                        exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "A valid admin token is required.");
            }
            found.get().attachTo(exchange);
            return authorize(exchange, chain, found.get());
        });
    }

    /** A 403 naming the role that may not do this. */
    protected static Mono<Void> forbidden(ServerWebExchange exchange, String message) {
        return ErrorBody.write(exchange, HttpStatus.FORBIDDEN, "forbidden", message);
    }

    /** A 404, as for something that does not exist (another tenant's data). */
    protected static Mono<Void> notFound(ServerWebExchange exchange, String message) {
        return ErrorBody.write(exchange, HttpStatus.NOT_FOUND, "not_found", message);
    }
}
