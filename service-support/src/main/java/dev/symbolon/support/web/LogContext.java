package dev.symbolon.support.web;

import dev.symbolon.support.traces.Traces;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.HashMap;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * A request's {@code requestId}, {@code traceId} and {@code spanId} in the log's MDC on every line the
 * request's code writes, and its trace context current there (so an outbox message written for it
 * continues its trace): through Reactor's automatic context propagation to the threads of {@link
 * BlockingControllers}, whose executor restores them for each controller call. For the services with
 * blocking (JDBC) controllers; the edge, all reactive and on the hot path, does without. Boot's
 * structured logging ({@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs}, {@code logstash}, {@code gelf})
 * writes the MDC as fields of each JSON line.
 */
public final class LogContext implements WebFilter, Ordered {

    public static final String REQUEST_ID = "requestId";
    public static final String TRACE_ID = "traceId";
    public static final String SPAN_ID = "spanId";

    private static volatile boolean installed;

    /** Turns on Reactor's automatic context propagation of the MDC ids and the trace context (once per JVM). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ContextRegistry registry = ContextRegistry.getInstance();
        registry.registerThreadLocalAccessor(new Slf4jThreadLocalAccessor(REQUEST_ID, TRACE_ID, SPAN_ID));
        registry.registerThreadLocalAccessor(new TraceContextAccessor());
        Hooks.enableAutomaticContextPropagation();
        installed = true;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Map<String, String> ids = ids(exchange);
        Object trace = exchange.getAttribute(Traces.CONTEXT);
        reactor.util.context.Context context = trace instanceof Context otel
                ? reactor.util.context.Context.of(Slf4jThreadLocalAccessor.KEY, ids, TraceContextAccessor.KEY, otel)
                : reactor.util.context.Context.of(Slf4jThreadLocalAccessor.KEY, ids);
        return chain.filter(exchange).contextWrite(context);
    }

    /** The request id of an exchange, and its trace and span ids while tracing is on. */
    static Map<String, String> ids(ServerWebExchange exchange) {
        return ids(ErrorBody.requestId(exchange), exchange.getAttribute(Traces.CONTEXT));
    }

    private static Map<String, String> ids(String requestId, Object trace) {
        Map<String, String> ids = new HashMap<>(4);
        if (requestId != null) {
            ids.put(REQUEST_ID, requestId);
        }
        if (trace instanceof Context otel) {
            SpanContext span = Span.fromContext(otel).getSpanContext();
            if (span.isValid()) {
                ids.put(TRACE_ID, span.getTraceId());
                ids.put(SPAN_ID, span.getSpanId());
            }
        }
        return ids;
    }

    /**
     * Writes a log line about an exchange with its ids in the MDC, wherever it runs (an event loop:
     * every service, the edge included, logs a failed request so).
     */
    public static void logging(ServerWebExchange exchange, Runnable line) {
        logging(ids(exchange), line);
    }

    /**
     * Writes a log line about a request with its ids in the MDC, from code that holds the request's id
     * and trace context (or null) rather than its exchange: the edge's reactive pipeline and the
     * threads it hands work to.
     */
    public static void logging(String requestId, Context trace, Runnable line) {
        logging(ids(requestId, trace), line);
    }

    private static void logging(Map<String, String> ids, Runnable line) {
        Map<String, String> previous = org.slf4j.MDC.getCopyOfContextMap();
        try {
            ids.forEach(org.slf4j.MDC::put);
            line.run();
        } finally {
            if (previous == null) {
                org.slf4j.MDC.clear();
            } else {
                org.slf4j.MDC.setContextMap(previous);
            }
        }
    }

    /** After the tracing filter (whose span it names), before everything that logs. */
    @Override
    public int getOrder() {
        return CanonicalPathFilter.ORDER + 2;
    }

    /** OpenTelemetry's current context as a propagated thread-local. */
    static final class TraceContextAccessor implements ThreadLocalAccessor<Context> {

        static final String KEY = Traces.CONTEXT + ".current";
        private static final ThreadLocal<Scope> SCOPES = new ThreadLocal<>();

        @Override
        public Object key() {
            return KEY;
        }

        @Override
        public Context getValue() {
            Context current = Context.current();
            return current == Context.root() ? null : current;
        }

        @Override
        public void setValue(Context value) {
            close();
            SCOPES.set(value.makeCurrent());
        }

        @Override
        public void setValue() {
            close();
        }

        private static void close() {
            Scope scope = SCOPES.get();
            if (scope != null) {
                SCOPES.remove();
                scope.close();
            }
        }
    }
}
