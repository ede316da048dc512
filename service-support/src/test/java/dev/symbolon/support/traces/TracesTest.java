package dev.symbolon.support.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.support.testing.OtlpReceiver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class TracesTest {

    static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CLIENT_PARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";

    @Test
    void without_an_exporter_tracing_is_off() {
        Traces traces = Traces.configure(new MockEnvironment(), "svc");

        assertThat(traces.enabled()).isFalse();
        Span span = traces.start("x", SpanKind.SERVER, Traces.fromTraceparent(CLIENT_PARENT));
        assertThat(span.isRecording()).isFalse();
    }

    @Test
    void the_otel_variables_send_spans_over_otlp_http_under_the_callers_traceparent() {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            MockEnvironment environment = new MockEnvironment()
                    .withProperty("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())
                    .withProperty("otel.bsp.schedule.delay", "50");
            try (Traces traces = Traces.configure(environment, "svc-under-test")) {
                assertThat(traces.enabled()).isTrue();
                Context parent = Traces.fromTraceparent(CLIENT_PARENT);
                Span span = traces.start("GET /things/{id}", SpanKind.SERVER, parent);
                String traceparent = Traces.traceparent(parent.with(span));
                span.end();

                assertThat(traceparent).startsWith("00-" + CLIENT_TRACE + "-").endsWith("-01");
                RecordHeaders headers = new RecordHeaders();
                Traces.inject(traceparent, headers);
                assertThat(Traces.traceparent(headers)).isEqualTo(traceparent);

                await().atMost(Duration.ofSeconds(10))
                        .until(() -> !receiver.trace(CLIENT_TRACE).isEmpty());
                OtlpReceiver.ReceivedSpan received =
                        receiver.trace(CLIENT_TRACE).get(0);
                assertThat(received.service()).isEqualTo("svc-under-test");
                assertThat(received.parentSpanId()).isEqualTo("00f067aa0ba902b7");
                assertThat(received.kind()).isEqualTo("SPAN_KIND_SERVER");
                assertThat(received.name()).isEqualTo("GET /things/{id}");
            }
        }
    }

    @Test
    void a_malformed_traceparent_starts_a_new_trace() {
        for (String bad : new String[] {"", "00-zz-yy-01", "00-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01"}) {
            assertThat(Traces.traceparent(Traces.fromTraceparent(bad))).as(bad).isNull();
        }
    }
}
