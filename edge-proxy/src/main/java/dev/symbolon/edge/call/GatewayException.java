package dev.symbolon.edge.call;

import org.springframework.http.HttpStatus;

/**
 * The gateway refuses or fails a request with a known status. The message goes to the client as
 * is: it never carries key material, a credential or an upstream body.
 *
 * @see ErrorResponses
 */
public class GatewayException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final transient ProxyCall call;
    private final String limit;
    private final long retryAfterSeconds;

    public GatewayException(HttpStatus status, String type, String message) {
        this(status, type, message, null, null, 0);
    }

    private GatewayException(
            HttpStatus status, String type, String message, ProxyCall call, String limit, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.call = call;
        this.limit = limit;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 429: a limit refused the request; the client may retry after the given time. */
    public static GatewayException limited(ProxyCall call, String limit, long retryAfterSeconds) {
        return new GatewayException(
                HttpStatus.TOO_MANY_REQUESTS,
                "rate_limited",
                "Limit reached: " + limit + ". Retry after " + retryAfterSeconds + " s.",
                call,
                limit,
                retryAfterSeconds);
    }

    /** 429: a limit refused the request before it was tied to a call (e.g. refused split-key attempts). */
    public static GatewayException limited(String limit, long retryAfterSeconds) {
        return limited(null, limit, retryAfterSeconds);
    }

    /** 429: a daily or monthly quota is used up; it frees when its period ends. */
    public static GatewayException quotaExhausted(ProxyCall call, String limit, long retryAfterSeconds) {
        return new GatewayException(
                HttpStatus.TOO_MANY_REQUESTS,
                "quota_exceeded",
                "Quota used up: " + limit + ". It renews in " + retryAfterSeconds + " s.",
                call,
                limit,
                retryAfterSeconds);
    }

    /**
     * 503: the request's quotas could not be checked (analytics, which grants this edge its share, did
     * not answer in time, and the edge holds too little), and the operator chose to fail closed.
     */
    public static GatewayException quotaUnavailable(ProxyCall call, String limit, long retryAfterSeconds) {
        return new GatewayException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "quota_unavailable",
                "The quota service did not answer, so this request could not be checked against its " + limit
                        + ". Retry after " + retryAfterSeconds + " s.",
                call,
                limit,
                retryAfterSeconds);
    }

    /** The same failure, tied to the state the request had reached (for metering). */
    public GatewayException at(ProxyCall call) {
        return this.call != null
                ? this
                : new GatewayException(status, type, getMessage(), call, limit, retryAfterSeconds);
    }

    /** Which limit refused the request; null unless 429. */
    public String limit() {
        return limit;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public ProxyCall call() {
        return call;
    }
}
