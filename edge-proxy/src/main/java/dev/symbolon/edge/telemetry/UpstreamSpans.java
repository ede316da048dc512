package dev.symbolon.edge.telemetry;

import dev.symbolon.contracts.Tokens;
import dev.symbolon.contracts.UsageRecorded.Outcome;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.support.traces.Traces;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * The span of a provider call, child of the request's server span, with the OpenTelemetry GenAI
 * attributes: {@code gen_ai.operation.name}, {@code gen_ai.system} and {@code gen_ai.provider.name},
 * {@code gen_ai.request.model} (as the client named it, cut at {@value #MAX_MODEL} characters), {@code
 * gen_ai.usage.input_tokens} and {@code gen_ai.usage.output_tokens}, the status and the outcome. Never a
 * prompt, a completion, a header or a key. Nothing while tracing is off.
 */
@Component
public class UpstreamSpans {

    static final int MAX_MODEL = 128;

    private final Traces traces;

    UpstreamSpans(Traces traces) {
        this.traces = traces;
    }

    /** Starts the span of the call about to go out; null while tracing is off. */
    public Span start(ProxyCall call) {
        if (!traces.enabled() || call.request().trace() == null) {
            return null;
        }
        String provider = call.route().provider().name();
        String operation = call.route().endpoint().contains("embed") ? "embeddings" : "chat";
        String model = call.payload().model();
        if (model != null && model.length() > MAX_MODEL) {
            model = model.substring(0, MAX_MODEL);
        }
        Span span = traces.start(
                model == null ? operation : operation + " " + model,
                SpanKind.CLIENT,
                call.request().trace());
        span.setAttribute("gen_ai.operation.name", operation);
        span.setAttribute("gen_ai.system", provider);
        span.setAttribute("gen_ai.provider.name", provider);
        if (model != null) {
            span.setAttribute("gen_ai.request.model", model);
        }
        span.setAttribute("symbolon.key.kind", call.key().kind());
        return span;
    }

    /** Ends the call's span with what it came to. */
    public void ended(ProxyCall call, int status, Outcome outcome, Tokens usage) {
        Span span = call.upstreamSpan();
        if (span == null) {
            return;
        }
        span.setAttribute("gen_ai.usage.input_tokens", usage.input());
        span.setAttribute("gen_ai.usage.output_tokens", usage.output());
        span.setAttribute("http.response.status_code", status);
        span.setAttribute("symbolon.outcome", outcome.name().toLowerCase(Locale.ROOT));
        if (outcome != Outcome.SUCCESS) {
            span.setStatus(StatusCode.ERROR, outcome.name().toLowerCase(Locale.ROOT));
        }
        span.end();
    }

    /** The {@code traceparent} the request's events carry (its server span); null while tracing is off. */
    public static String traceparent(ProxyCall call) {
        return call.request().trace() == null
                ? null
                : Traces.traceparent(call.request().trace());
    }
}
