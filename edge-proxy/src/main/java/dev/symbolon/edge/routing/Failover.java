package dev.symbolon.edge.routing;

import dev.symbolon.edge.EdgeProperties;
import java.time.Duration;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * When a request moves on to another key or fallback target: only on what the key or the provider
 * caused (the statuses configured, 429 and 5xx by default; a timeout), never on another 4xx; a connect
 * failure (the provider's host, the same for every key of a pool) only to a target on another host; at
 * most {@code max-attempts} calls; none started after the deadline. Whether the client has been sent a
 * byte is the pipeline's to know: it asks only before it has answered.
 */
@Component
public class Failover {

    private final int maxAttempts;
    private final Set<Integer> statuses;
    private final boolean onTimeout;
    private final long attemptTimeout;
    private final long deadline;

    Failover(EdgeProperties properties) {
        EdgeProperties.Routing routing = properties.routing();
        this.maxAttempts = routing.maxAttempts();
        this.statuses = Set.copyOf(routing.failoverStatuses());
        this.onTimeout = routing.failoverOnTimeout();
        this.attemptTimeout =
                (routing.attemptTimeout() != null ? routing.attemptTimeout() : properties.upstreamTimeout()).toNanos();
        this.deadline = (routing.deadline() != null ? routing.deadline() : properties.upstreamTimeout()).toNanos();
    }

    /** Whether a provider answer with this status moves the request on. */
    public boolean onStatus(int status) {
        return statuses.contains(status);
    }

    /** Whether an attempt that failed this way ({@code upstream_timeout}: yes if configured; else no) moves on. */
    public boolean onFailure(String type) {
        return onTimeout && "upstream_timeout".equals(type);
    }

    /** Whether a request that arrived at {@code receivedNanos} and made {@code made} calls may make another now. */
    public boolean mayRetry(int made, long receivedNanos) {
        return made < maxAttempts && System.nanoTime() - receivedNanos < deadline;
    }

    /** How long the next attempt may wait for its answer to begin: its timeout, within the deadline. */
    public Duration attemptWait(long receivedNanos) {
        long left = deadline - (System.nanoTime() - receivedNanos);
        return Duration.ofNanos(Math.max(1_000_000, Math.min(attemptTimeout, left)));
    }
}
