package dev.symbolon.support.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * A refusal meant for the caller: a status, an error type and a message written for them (never a
 * secret, an internal detail or an exception's own text). Thrown anywhere in a service (controller,
 * filter, router function), it is answered in the one error shape by service-support's handlers.
 */
public class ClientError extends RuntimeException {

    private final HttpStatusCode status;
    private final String type;

    public ClientError(HttpStatusCode status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    public static ClientError badRequest(String message) {
        return new ClientError(HttpStatus.BAD_REQUEST, "invalid_request", message);
    }

    public static ClientError notFound(String what) {
        return new ClientError(HttpStatus.NOT_FOUND, "not_found", "No such " + what + ".");
    }

    public HttpStatusCode status() {
        return status;
    }

    public String type() {
        return type;
    }
}
