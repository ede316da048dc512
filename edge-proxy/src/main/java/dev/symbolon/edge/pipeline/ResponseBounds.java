package dev.symbolon.edge.pipeline;

import java.time.Duration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;

/**
 * The longest and largest an upstream response body may be: the edge's limits, lowered by the
 * caller's policy. A body that reaches either is ended there and the upstream call cancelled;
 * a body whose upstream goes silent is ended by the provider client's read idle timeout instead;
 * {@link #cut()} then says why ({@code stream_too_long}, {@code stream_too_large}) so the pipeline can
 * end a stream with an in-band error event. What was delivered until then is metered.
 */
final class ResponseBounds {

    private final Duration maxDuration;
    private final long maxBytes;
    private volatile String cut;

    private ResponseBounds(Duration maxDuration, long maxBytes) {
        this.maxDuration = maxDuration;
        this.maxBytes = maxBytes;
    }

    /** The edge's limits, lowered by the policy's where it sets them (seconds, bytes; null = not set). */
    static ResponseBounds of(Duration edgeDuration, long edgeBytes, Long policySeconds, Long policyBytes) {
        Duration duration =
                policySeconds == null || Duration.ofSeconds(policySeconds).compareTo(edgeDuration) > 0
                        ? edgeDuration
                        : Duration.ofSeconds(policySeconds);
        long bytes = policyBytes == null ? edgeBytes : Math.min(edgeBytes, policyBytes);
        return new ResponseBounds(duration, bytes);
    }

    /**
     * The body, ended at the first chunk that would pass either limit. Time is checked as chunks
     * arrive (no timer per request on the hot path): an upstream that keeps sending is ended at its
     * next chunk after the deadline, one that goes silent by the client's read idle timeout.
     */
    Flux<DataBuffer> apply(Flux<DataBuffer> body) {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        long[] total = {0};
        return body.handle((buffer, sink) -> {
            total[0] += buffer.readableByteCount();
            if (total[0] > maxBytes) {
                DataBufferUtils.release(buffer);
                cut = "stream_too_large";
                sink.complete();
            } else if (System.nanoTime() - deadline > 0) {
                DataBufferUtils.release(buffer);
                cut = "stream_too_long";
                sink.complete();
            } else {
                sink.next(buffer);
            }
        });
    }

    /** Why the body was ended early; null when it ended by itself. */
    String cut() {
        return cut;
    }

    String message() {
        return "stream_too_large".equals(cut)
                ? "The response reached its size limit (" + maxBytes + " bytes) and was ended by the gateway."
                : "The response reached its time limit (" + maxDuration.toSeconds()
                        + " s) and was ended by the gateway.";
    }
}
