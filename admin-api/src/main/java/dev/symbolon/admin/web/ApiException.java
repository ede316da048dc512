package dev.symbolon.admin.web;

import dev.symbolon.support.web.ClientError;
import org.springframework.http.HttpStatus;

/**
 * A refusal with a status and a message meant for the caller (never a secret or internal detail),
 * answered in the one error shape by service-support's handlers.
 */
public class ApiException extends ClientError {

    private final HttpStatus status;

    public ApiException(HttpStatus status, String type, String message) {
        super(status, type, message);
        this.status = status;
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

    @Override
    public HttpStatus status() {
        return status;
    }
}
