package dev.symbolon.support.traces;

import dev.symbolon.support.web.CanonicalPathFilter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * A server span for every request a service answers, child of the caller's {@code traceparent} when
 * it sends one, named by method and route pattern ({@code GET /internal/v1/keys/{keyId}}: never the
 * path itself, which holds ids), ended when the response is complete (a stream: at its end). The
 * span's context is an exchange attribute and in the Reactor context under {@link Traces#CONTEXT},
 * for what the request calls next. Nothing at all while tracing is off.
 */
public final class TracingWebFilter implements WebFilter, Ordered {

    private final Traces traces;

    public TracingWebFilter(Traces traces) {
        this.traces = traces;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!traces.enabled()) {
            return chain.filter(exchange);
        }
        String method = exchange.getRequest().getMethod().name();
        Context parent =
                Traces.fromTraceparent(exchange.getRequest().getHeaders().getFirst(Traces.TRACEPARENT));
        Span span = traces.start(method, SpanKind.SERVER, parent);
        span.setAttribute("http.request.method", method);
        Context context = parent.with(span);
        exchange.getAttributes().put(Traces.CONTEXT, context);
        return chain.filter(exchange)
                .doFinally(signal -> {
                    Object route = exchange.getAttribute(Traces.ROUTE);
                    if (route == null) {
                        route = exchange.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
                    }
                    if (route == null) {
                        route = exchange.getAttribute(RouterFunctions.MATCHING_PATTERN_ATTRIBUTE);
                    }
                    if (route != null) {
                        span.setAttribute("http.route", route.toString());
                        span.updateName(method + " " + route);
                    }
                    HttpStatusCode status = exchange.getResponse().getStatusCode();
                    if (status != null) {
                        span.setAttribute("http.response.status_code", status.value());
                        if (status.is5xxServerError()) {
                            span.setStatus(StatusCode.ERROR);
                        }
                    }
                    span.end();
                })
                .contextWrite(reactor.util.context.Context.of(Traces.CONTEXT, context));
    }

    @Override
    public int getOrder() {
        return CanonicalPathFilter.ORDER + 1;
    }
}
