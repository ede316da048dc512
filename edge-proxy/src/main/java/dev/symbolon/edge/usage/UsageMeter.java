package dev.symbolon.edge.usage;

import dev.symbolon.contracts.Tokens;
import dev.symbolon.contracts.UsageRecorded.Outcome;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.provider.Metering;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import reactor.core.publisher.SignalType;

/**
 * Watches one upstream response go by without holding it up, and records its usage when it ends:
 * a JSON body is read whole at the end (up to a cap), an SSE stream line by line as it passes.
 */
public final class UsageMeter {

    /** JSON bodies beyond this are passed on but not parsed for usage. */
    private static final int JSON_CAP = 4 * 1024 * 1024;

    private static final byte[] USAGE_MARKER = "sage".getBytes(StandardCharsets.US_ASCII);

    private final UsageRecorder recorder;
    private final ProxyCall call;
    private final int status;
    private final boolean sse;
    private final boolean json;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
    private final AtomicBoolean finished = new AtomicBoolean();
    private Tokens usage = Tokens.NONE;
    private boolean usageSeen;
    /** When the response's first bytes went by; 0 before. */
    private long firstChunkNanos;
    /** The stream's events, counted only if it ends without its final usage. */
    private final DeliveredText delivered;

    UsageMeter(UsageRecorder recorder, ProxyCall call, int status, MediaType contentType) {
        this.recorder = recorder;
        this.call = call;
        this.status = status;
        this.sse = contentType != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(contentType);
        this.json = contentType != null && !sse && contentType.getSubtype().contains("json");
        this.delivered = sse ? new DeliveredText() : null;
    }

    /** Sees one chunk of the response on its way to the client. */
    public void observe(DataBuffer chunk) {
        if (firstChunkNanos == 0) {
            firstChunkNanos = System.nanoTime();
        }
        if (!sse && !json) {
            return;
        }
        int length = chunk.readableByteCount();
        if (json && seen.size() + length > JSON_CAP) {
            return;
        }
        byte[] bytes = new byte[length];
        chunk.toByteBuffer(chunk.readPosition(), ByteBuffer.wrap(bytes), 0, length);
        seen.write(bytes, 0, length);
        if (sse) {
            consumeLines();
        }
    }

    /** Ends metering; publishes the request's one usage event. Later calls do nothing. */
    public void finish(SignalType signal) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        if (json && seen.size() > 0) {
            byte[] body = seen.toByteArray();
            UsageParser.parse(call.route().provider().dialect(), body, 0, body.length)
                    .ifPresent(this::add);
        }
        boolean complete = signal == SignalType.ON_COMPLETE;
        Outcome outcome = signal == SignalType.ON_ERROR
                ? Outcome.UPSTREAM_UNAVAILABLE
                : !complete
                        ? Outcome.CANCELLED
                        : status >= 200 && status < 300 ? Outcome.SUCCESS : Outcome.UPSTREAM_ERROR;
        boolean partial = !complete
                || (outcome == Outcome.SUCCESS
                        && !usageSeen
                        && Metering.billed(call.request().method(), call.route().endpoint()));
        if (signal == SignalType.ON_ERROR) {
            recorder.metrics().interrupted(call);
        }
        if (sse && partial && status >= 200 && status < 300) {
            recorder.record(call, status, outcome, counted(), true, true, firstChunkNanos);
        } else {
            recorder.record(call, status, outcome, usage, partial, false, firstChunkNanos);
        }
    }

    /**
     * A stream that ended without its final usage is charged for what it delivered: the output its
     * text counts (or what the provider had reported, if more), and the prompt the provider reported
     * at the start (Anthropic's {@code message_start}) or, failing that, the request body counted.
     */
    private Tokens counted() {
        String model = call.payload().model();
        long output = Math.max(
                usage.output(), delivered.outputTokens(call.route().provider().dialect(), model));
        long input = usage.input() != 0
                ? usage.input()
                : Tokenizer.countBody(model, call.payload().bytes());
        return new Tokens(
                input,
                usage.cachedInput(),
                usage.cacheWrite5m(),
                usage.cacheWrite1h(),
                output,
                usage.reasoning(),
                usage.audioInput(),
                usage.audioOutput());
    }

    private void consumeLines() {
        byte[] buffer = seen.toByteArray();
        int lineStart = 0;
        for (int i = 0; i < buffer.length; i++) {
            if (buffer[i] == '\n') {
                inspectLine(buffer, lineStart, i);
                lineStart = i + 1;
            }
        }
        seen.reset();
        seen.write(buffer, lineStart, buffer.length - lineStart);
    }

    private void inspectLine(byte[] buffer, int start, int end) {
        if (end - start < 6 || buffer[start] != 'd' || !startsWith(buffer, start, "data:")) {
            return;
        }
        int from = start + 5;
        delivered.add(buffer, from, end);
        if (!contains(buffer, start, end, USAGE_MARKER)) {
            return;
        }
        UsageParser.parse(call.route().provider().dialect(), buffer, from, end - from)
                .ifPresent(this::add);
    }

    private void add(Tokens reported) {
        usage = UsageParser.merge(usage, reported);
        usageSeen = true;
    }

    private static boolean startsWith(byte[] buffer, int start, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (buffer[start + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(byte[] buffer, int start, int end, byte[] needle) {
        outer:
        for (int i = start; i <= end - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buffer[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
