package dev.symbolon.support.traces;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * The one way a Symbolon service traces: OpenTelemetry, configured by the standard {@code OTEL_*}
 * variables (or {@code otel.*} properties), exporting over OTLP; <b>off unless an exporter is
 * configured</b> ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} or
 * {@code OTEL_TRACES_EXPORTER}), and then a no-op that costs one boolean check. Context travels as a W3C
 * {@code traceparent}: in HTTP headers between services, in Kafka record headers on every event, and in
 * the rows (outbox, deliveries) where an event waits between the two. Spans carry names, kinds,
 * routes, statuses and counts; never a body, a prompt, a completion, a key or a credential.
 */
public final class Traces implements AutoCloseable {

    public static final String TRACEPARENT = "traceparent";
    /** Exchange attribute and Reactor context key under which a request's {@link Context} travels. */
    public static final String CONTEXT = Traces.class.getName() + ".context";
    /**
     * Exchange attribute a handler may set to the route pattern it matched, when the router does not
     * know one (a custom predicate); it names the server span.
     */
    public static final String ROUTE = Traces.class.getName() + ".route";

    private static final Traces DISABLED = new Traces(OpenTelemetry.noop(), null, false);
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<String> ONE_TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(TRACEPARENT);
        }

        @Override
        public String get(String carrier, String key) {
            return TRACEPARENT.equals(key) ? carrier : null;
        }
    };

    private final OpenTelemetry openTelemetry;
    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final boolean enabled;

    private Traces(OpenTelemetry openTelemetry, OpenTelemetrySdk sdk, boolean enabled) {
        this.openTelemetry = openTelemetry;
        this.sdk = sdk;
        this.tracer = openTelemetry.getTracer("dev.symbolon");
        this.enabled = enabled;
    }

    /** Tracing that records nothing. */
    public static Traces disabled() {
        return DISABLED;
    }

    /** Tracing exporting through the given SDK (tests build one over an in-memory exporter). */
    public static Traces of(OpenTelemetrySdk sdk) {
        return new Traces(sdk, sdk, true);
    }

    /**
     * Tracing as the environment configures it: {@code OTEL_*} variables and system properties, and
     * {@code otel.*} / {@code OTEL_*} properties of the Spring environment (so each service of one JVM,
     * as in local mode, can have its own). Metrics and logs are not exported over OTLP (metrics are on
     * {@code /actuator/prometheus}, logs on standard output); {@code service.name} is the service's.
     */
    public static Traces configure(ConfigurableEnvironment environment, String serviceName) {
        Map<String, String> settings = otelSettings(environment);
        boolean exporting = settings.containsKey("otel.exporter.otlp.endpoint")
                || settings.containsKey("otel.exporter.otlp.traces.endpoint")
                || (settings.containsKey("otel.traces.exporter")
                        && !"none".equals(settings.get("otel.traces.exporter")));
        if (!exporting || "true".equalsIgnoreCase(settings.get("otel.sdk.disabled"))) {
            return DISABLED;
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", serviceName);
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        defaults.put("otel.traces.exporter", "otlp");
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        defaults.putAll(settings);
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
        return new Traces(sdk, sdk, true);
    }

    /** Every {@code otel.*} or {@code OTEL_*} setting the environment holds, by its {@code otel.a.b} name. */
    private static Map<String, String> otelSettings(ConfigurableEnvironment environment) {
        Map<String, String> settings = new HashMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!(source instanceof EnumerablePropertySource<?> names)) {
                continue;
            }
            for (String name : names.getPropertyNames()) {
                if (!name.startsWith("otel.") && !name.startsWith("OTEL_")) {
                    continue;
                }
                String key = name.toLowerCase(Locale.ROOT).replace('_', '.');
                Object value = source.getProperty(name);
                if (value != null && !value.toString().isBlank()) {
                    settings.putIfAbsent(key, value.toString());
                }
            }
        }
        return settings;
    }

    public boolean enabled() {
        return enabled;
    }

    /** A span of this service, started now under {@code parent} (a root span if it holds none). */
    public Span start(String name, SpanKind kind, Context parent) {
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(kind);
        return builder.setParent(parent == null ? Context.root() : parent).startSpan();
    }

    /** The context a W3C {@code traceparent} names; the root context when it is absent or invalid. */
    public static Context fromTraceparent(String traceparent) {
        if (traceparent == null || traceparent.isEmpty()) {
            return Context.root();
        }
        return W3C.extract(Context.root(), traceparent, ONE_TRACEPARENT);
    }

    /** The {@code traceparent} of the span a context holds; null when it holds none. */
    public static String traceparent(Context context) {
        return context == null ? null : traceparent(Span.fromContext(context).getSpanContext());
    }

    public static String traceparent(SpanContext span) {
        if (span == null || !span.isValid()) {
            return null;
        }
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-"
                + span.getTraceFlags().asHex();
    }

    /**
     * The {@code traceparent} of the request a reactive call runs for ({@link TracingWebFilter} put its
     * context in the Reactor context); null when tracing is off or outside a request.
     */
    public static String traceparent(reactor.util.context.ContextView reactor) {
        Object context = reactor.getOrDefault(CONTEXT, null);
        return context instanceof Context otel ? traceparent(otel) : null;
    }

    /** Sets the {@code traceparent} header of an outgoing HTTP request (nothing when null). */
    public static void inject(String traceparent, org.springframework.http.HttpHeaders headers) {
        if (traceparent != null) {
            headers.set(TRACEPARENT, traceparent);
        }
    }

    /** The {@code traceparent} of the span current on this thread; null when there is none. */
    public static String currentTraceparent() {
        return traceparent(Span.current().getSpanContext());
    }

    /** The {@code traceparent} a Kafka record carries; null when none. */
    public static String traceparent(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(TRACEPARENT);
        return header == null ? null : new String(header.value(), StandardCharsets.US_ASCII);
    }

    /** Puts a {@code traceparent} on a Kafka record (nothing when null). */
    public static void inject(String traceparent, Headers headers) {
        if (traceparent != null) {
            headers.remove(TRACEPARENT);
            headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Sends what is buffered and stops (at the end of the application). */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.close();
        }
    }
}
