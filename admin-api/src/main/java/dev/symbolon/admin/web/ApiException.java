package dev.symbolon.admin.web;

import org.springframework.http.HttpStatus;

/** A refusal with a status and a message meant for the caller (never a secret or internal detail). */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;

    public ApiException(HttpStatus status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, "not_found", "No such " + what + ".");
    }

    public static ApiException forbidden(String message) {
        return new ApiException(HttpStatus.FORBIDDEN, "forbidden", message);
    }

    public static ApiException unauthorized() {
        return new ApiException(
                HttpStatus.UNAUTHORIZED, "unauthorized", "A valid admin credential or token is required.");
    }

    public static ApiException conflict(String message) {
        return new ApiException(HttpStatus.CONFLICT, "conflict", message);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request", message);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }
}
