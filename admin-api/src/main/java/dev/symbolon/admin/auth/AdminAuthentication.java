package dev.symbolon.admin.auth;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.admin.web.ApiException;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Authenticates every {@code /admin/**} request but the public JWK set and OpenAPI document. Accepted, as a bearer token:
 * the bootstrap platform-admin credential, an admin key ({@code sym_admin_…}), or an admin JWT this
 * service issued, or (when configured) a JWT of the external identity provider. The principal is put
 * on the exchange for controllers to take as a parameter.
 */
@Component
@Order(0)
class AdminAuthentication implements WebFilter {

    static final String PRINCIPAL = AdminPrincipal.class.getName();
    static final String JWKS_PATH = "/admin/.well-known/jwks.json";
    static final String OPENAPI_PATH = "/admin/openapi.json";

    private static final String BEARER = "Bearer ";
    private static final AdminPrincipal BOOTSTRAP = new AdminPrincipal("bootstrap", Role.PLATFORM_ADMIN, null);

    private final AdminProperties properties;
    private final AdminTokens tokens;
    private final ExternalIdpTokens externalIdp;
    private final AdminKeys keys;

    AdminAuthentication(AdminProperties properties, AdminTokens tokens, ExternalIdpTokens externalIdp, AdminKeys keys) {
        this.properties = properties;
        this.tokens = tokens;
        this.externalIdp = externalIdp;
        this.keys = keys;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (!path.startsWith("/admin/") || path.equals(JWKS_PATH) || path.equals(OPENAPI_PATH)) {
            return chain.filter(exchange);
        }
        String token = bearer(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
        return authenticate(token)
                .switchIfEmpty(Mono.error(ApiException.unauthorized()))
                .flatMap(principal -> {
                    exchange.getAttributes().put(PRINCIPAL, principal);
                    return chain.filter(exchange);
                });
    }

    private Mono<AdminPrincipal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Mono.empty();
        }
        if (properties.bootstrapToken().matches(token)) {
            return Mono.just(BOOTSTRAP);
        }
        if (token.chars().filter(c -> c == '.').count() == 2) {
            Optional<AdminPrincipal> own = tokens.verify(token);
            if (own.isPresent() || !externalIdp.enabled()) {
                return Mono.justOrEmpty(own);
            }
            // May fetch the provider's JWK set: off the event loop.
            return Mono.fromCallable(() -> externalIdp.verify(token))
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMap(Mono::justOrEmpty);
        }
        // An admin key is looked up in PostgreSQL: off the event loop.
        return Mono.fromCallable(() -> keys.authenticate(token))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(Mono::justOrEmpty);
    }

    private static String bearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? authorization.substring(BEARER.length()).trim()
                : null;
    }

    static Optional<AdminPrincipal> principalOf(ServerWebExchange exchange) {
        return Optional.ofNullable(exchange.getAttribute(PRINCIPAL));
    }
}
