package dev.symbolon.edge.usage;

import dev.symbolon.contracts.Tokens;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.contracts.UsageRecorded.Outcome;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.limits.Quotas;
import dev.symbolon.edge.limits.RateLimits;
import dev.symbolon.edge.telemetry.EdgeMetrics;
import dev.symbolon.edge.telemetry.UpstreamSpans;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Turns a finished request into exactly one {@code usage-recorded.v1} event, debits its tokens from
 * the tokens-per-minute limits, settles its quota reservation, counts it in {@link EdgeMetrics} and
 * ends its provider call's span; the event carries the request's {@code traceparent}.
 * Requests whose caller is unknown (no or bad credential) have no tenant to charge and publish no
 * event; they are counted all the same.
 */
@Component
public class UsageRecorder {

    private final UsageEventPublisher publisher;
    private final RateLimits limits;
    private final Quotas quotas;
    private final EdgeMetrics metrics;
    private final UpstreamSpans spans;

    UsageRecorder(
            UsageEventPublisher publisher, RateLimits limits, Quotas quotas, EdgeMetrics metrics, UpstreamSpans spans) {
        this.publisher = publisher;
        this.limits = limits;
        this.quotas = quotas;
        this.metrics = metrics;
        this.spans = spans;
    }

    /** Starts metering an upstream response; the meter publishes when the response ends. */
    public UsageMeter meter(ProxyCall call, int status, MediaType contentType) {
        return new UsageMeter(this, call, status, contentType);
    }

    /** A request that ended without an upstream response (refused, or upstream unreachable). */
    public void ended(ProxyCall call, int status, Outcome outcome) {
        record(call, status, outcome, Tokens.NONE, false, false, 0);
    }

    /**
     * A provider call the request moved on from to another key before answering the client: its own
     * event ({@code failedOver}), its tokens and cost counted, the client request not.
     *
     * @param type what went wrong, as {@link EdgeMetrics#failedOver} counts it
     */
    public void failedOver(ProxyCall call, int status, Outcome outcome, String type) {
        metrics.failedOver(call, type);
        spans.ended(call, status, outcome, Tokens.NONE);
        if (call.identity() != null) {
            UsageRecorded event = event(call, status, outcome, Tokens.NONE, false, false, true);
            quotas.attempted(call.reservation(), event); // counted here before the send can report it sent
            publisher.publish(event, UpstreamSpans.traceparent(call));
        }
    }

    /**
     * The client went away while the provider had not answered yet: status 499 (client closed
     * request), partial, since the provider may still bill what it started.
     */
    public void cancelledBeforeResponse(ProxyCall call) {
        record(call, 499, Outcome.CANCELLED, Tokens.NONE, true, false, 0);
    }

    EdgeMetrics metrics() {
        return metrics;
    }

    /**
     * @param estimated the tokens were counted by the edge (a stream cut before its usage)
     * @param firstChunkNanos {@link System#nanoTime()} when the response's first bytes arrived; 0 if none
     */
    void record(
            ProxyCall call,
            int status,
            Outcome outcome,
            Tokens usage,
            boolean partial,
            boolean estimated,
            long firstChunkNanos) {
        metrics.finished(call, status, outcome, usage, firstChunkNanos);
        spans.ended(call, status, outcome, usage);
        if (call.identity() == null) {
            return;
        }
        limits.used(call.identity(), call.policy(), usage.total());
        UsageRecorded event = event(call, status, outcome, usage, partial, estimated, false);
        quotas.settle(call.reservation(), event); // counted here before the send can report it sent
        publisher.publish(event, UpstreamSpans.traceparent(call));
    }

    private UsageRecorded event(
            ProxyCall call,
            int status,
            Outcome outcome,
            Tokens usage,
            boolean partial,
            boolean estimated,
            boolean failedOver) {
        return new UsageRecorded(
                UUID.randomUUID(),
                call.request().receivedAt(),
                call.identity().tenantId(),
                UsageRecorded.CURRENT_VERSION,
                call.identity().appId(),
                call.key() == null ? null : call.key().keyId(),
                call.key() == null ? null : call.key().kind(),
                call.route() == null ? null : call.route().provider().name(),
                call.payload().model(),
                call.route() == null ? null : call.route().endpoint(),
                status,
                outcome,
                usage.input(),
                usage.output(),
                usage.cachedInput(),
                call.payload().stream(),
                partial,
                call.elapsedMillis(),
                call.overheadNanos() / 1_000_000,
                call.requestId(),
                usage.cacheWrite5m(),
                usage.cacheWrite1h(),
                usage.reasoning(),
                usage.audioInput(),
                usage.audioOutput(),
                estimated,
                call.attempt(),
                failedOver,
                quotas.edgeId());
    }
}
