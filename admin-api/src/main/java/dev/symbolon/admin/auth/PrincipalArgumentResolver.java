package dev.symbolon.admin.auth;

import dev.symbolon.admin.web.ApiException;
import org.springframework.core.MethodParameter;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Lets a controller method take the authenticated {@link AdminPrincipal} as a plain parameter. */
@Component
public class PrincipalArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == AdminPrincipal.class;
    }

    @Override
    public Mono<Object> resolveArgument(
            MethodParameter parameter, BindingContext bindingContext, ServerWebExchange exchange) {
        String sourceIp = exchange.getRequest().getRemoteAddress() == null
                ? null
                : exchange.getRequest().getRemoteAddress().getAddress().getHostAddress();
        return Mono.justOrEmpty(AdminAuthentication.principalOf(exchange))
                .map(principal ->
                        principal.inRequest(sourceIp, exchange.getRequest().getId()))
                .cast(Object.class)
                .switchIfEmpty(Mono.error(ApiException.unauthorized()));
    }
}
