package dev.symbolon.edge.pipeline;

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

    public GatewayException(HttpStatus status, String type, String message) {
        this(status, type, message, null);
    }

    private GatewayException(HttpStatus status, String type, String message, ProxyCall call) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.call = call;
    }

    /** The same failure, tied to the state the request had reached (for metering). */
    GatewayException at(ProxyCall call) {
        return this.call != null ? this : new GatewayException(status, type, getMessage(), call);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    ProxyCall call() {
        return call;
    }
}
