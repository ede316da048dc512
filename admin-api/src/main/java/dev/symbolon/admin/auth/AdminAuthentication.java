package dev.symbolon.admin.auth;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.support.auth.BearerToken;
import java.util.Optional;
import org.springframework.core.annotation.Order;
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
    /** Set when the caller presented a token: a token buys no token ({@code POST /admin/auth/token}). */
    static final String VIA_TOKEN = AdminAuthentication.class.getName() + ".viaToken";
    /** The admin key the caller presented (itself, or the one its token was bought with). */
    static final String ADMIN_KEY = AdminAuthentication.class.getName() + ".adminKey";

    static final String JWKS_PATH = "/admin/.well-known/jwks.json";
    static final String OPENAPI_PATH = "/admin/openapi.json";

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
        String token = BearerToken.from(exchange.getRequest().getHeaders());
        return authenticate(token)
                .switchIfEmpty(Mono.error(ApiException.unauthorized()))
                .flatMap(caller -> {
                    exchange.getAttributes().put(PRINCIPAL, caller.principal());
                    if (caller.viaToken()) {
                        exchange.getAttributes().put(VIA_TOKEN, Boolean.TRUE);
                    }
                    if (caller.adminKeyId() != null) {
                        exchange.getAttributes().put(ADMIN_KEY, caller.adminKeyId());
                    }
                    return chain.filter(exchange);
                });
    }

    /** Who called, how: a token, and the admin key behind the call (null for bootstrap and the IdP). */
    private record Caller(AdminPrincipal principal, boolean viaToken, String adminKeyId) {}

    private Mono<Caller> authenticate(String token) {
        if (token == null) {
            return Mono.empty();
        }
        if (properties.bootstrapToken().matches(token)) {
            return Mono.just(new Caller(BOOTSTRAP, false, null));
        }
        if (token.chars().filter(c -> c == '.').count() == 2) {
            Optional<AdminTokens.Verified> own = tokens.verifyWithKey(token);
            if (own.isPresent()) {
                String adminKeyId = own.get().adminKeyId();
                if (adminKeyId == null) {
                    return Mono.just(new Caller(own.get().principal(), true, null));
                }
                // The key the token was bought with must still be active: revoking it ends its tokens.
                return Mono.fromCallable(() -> keys.isActive(adminKeyId))
                        .subscribeOn(Schedulers.boundedElastic())
                        .filter(Boolean::booleanValue)
                        .map(active -> new Caller(own.get().principal(), true, adminKeyId));
            }
            if (!externalIdp.enabled()) {
                return Mono.empty();
            }
            // May fetch the provider's JWK set, asynchronously.
            return externalIdp
                    .verify(token)
                    .flatMap(Mono::justOrEmpty)
                    .map(principal -> new Caller(principal, true, null));
        }
        // An admin key is looked up in PostgreSQL: off the event loop.
        return Mono.fromCallable(() -> keys.authenticate(token))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(Mono::justOrEmpty)
                .map(principal -> new Caller(principal, false, principal.subject()));
    }

    static boolean viaToken(ServerWebExchange exchange) {
        return Boolean.TRUE.equals(exchange.getAttribute(VIA_TOKEN));
    }

    static String adminKeyOf(ServerWebExchange exchange) {
        return exchange.getAttribute(ADMIN_KEY);
    }

    static Optional<AdminPrincipal> principalOf(ServerWebExchange exchange) {
        return Optional.ofNullable(exchange.getAttribute(PRINCIPAL));
    }
}
