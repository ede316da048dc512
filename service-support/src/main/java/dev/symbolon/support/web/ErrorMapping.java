package dev.symbolon.support.web;

import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MissingRequestValueException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * How any failure becomes the one error body: the status, a type and a message that says what was
 * wrong (which parameter, which field) without quoting what the caller sent. A client's mistake is
 * answered, never logged with a stack trace; a server failure is logged once, redacted (the classes
 * and frames of the chain, not the messages, which could quote a key), and answered 500 without
 * detail.
 */
public final class ErrorMapping {

    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    /** The status and body for a failure. */
    public record Answer(HttpStatusCode status, Map<String, Object> body) {}

    public static Answer of(Throwable error, ServerWebExchange exchange) {
        String requestId = ErrorBody.requestId(exchange);
        if (error instanceof ClientError client) {
            return answer(client.status(), client.type(), client.getMessage(), requestId, null);
        }
        if (error instanceof WebExchangeBindException bind) {
            List<Map<String, String>> fields = bind.getFieldErrors().stream()
                    .map(f -> Map.of(
                            "field",
                            f.getField(),
                            "message",
                            f.getDefaultMessage() == null ? "invalid" : f.getDefaultMessage()))
                    .toList();
            return answer(
                    HttpStatus.BAD_REQUEST, "invalid_request", "The request has invalid fields.", requestId, fields);
        }
        if (error instanceof MissingRequestValueException missing) {
            return answer(
                    HttpStatus.BAD_REQUEST,
                    "invalid_request",
                    "The " + missing.getLabel() + " '" + missing.getName() + "' is required.",
                    requestId,
                    null);
        }
        if (error instanceof UnsupportedMediaTypeStatusException) {
            return answer(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "invalid_content_type",
                    "The Content-Type is missing, malformed or not one this route reads (application/json).",
                    requestId,
                    null);
        }
        if (error instanceof ServerWebInputException input) {
            MethodParameter parameter = input.getMethodParameter();
            String name = parameter == null ? null : parameter.getParameterName();
            boolean body = parameter != null
                    && parameter.hasParameterAnnotation(org.springframework.web.bind.annotation.RequestBody.class);
            String field = body ? jsonField(input) : null;
            String message = field != null
                    ? "The request body could not be read: '" + field + "' is not of the expected type."
                    : body || name == null
                            ? "The request body could not be read: it is not JSON of the expected shape."
                            : "The parameter '" + name + "' has an invalid value.";
            return answer(HttpStatus.BAD_REQUEST, "invalid_request", message, requestId, null);
        }
        if (databaseUnavailable(error)) {
            LogContext.logging(
                    exchange,
                    () -> log.warn(
                            "request {} {}: the database cannot be reached ({})",
                            exchange.getRequest().getMethod(),
                            exchange.getRequest().getPath().value(),
                            error.getClass().getSimpleName()));
            return answer(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "The service's database cannot be reached right now; try again shortly.",
                    requestId,
                    null);
        }
        if (error instanceof ResponseStatusException status) {
            HttpStatusCode code = status.getStatusCode();
            // the reason of a framework exception may quote the path; ours are written for the caller
            String reason = status.getClass() == ResponseStatusException.class ? status.getReason() : null;
            if (code.is5xxServerError()) {
                logFailure(error, exchange);
            }
            return answer(code, typeOf(code), reason != null ? reason : messageOf(code), requestId, null);
        }
        logFailure(error, exchange);
        return answer(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "internal_error",
                "The request failed; it has been logged.",
                requestId,
                null);
    }

    /** An outage of the database (never the request's fault): answered 503, not a stale or partial answer. */
    private static boolean databaseUnavailable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.springframework.dao.DataAccessResourceFailureException
                    || t instanceof org.springframework.dao.TransientDataAccessException
                    || t instanceof org.springframework.transaction.CannotCreateTransactionException
                    || t instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    private static Answer answer(
            HttpStatusCode status, String type, String message, String requestId, List<Map<String, String>> fields) {
        return new Answer(status, ErrorBody.of(type, message, requestId, fields));
    }

    /**
     * Where in a JSON body reading failed ({@code policy.allowedProviders[2]}), from Jackson's path;
     * null when it does not say. A name the client wrote is shown only if it is a plain identifier.
     */
    static String jsonField(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof tools.jackson.core.JacksonException jackson
                    && !jackson.getPath().isEmpty()) {
                StringBuilder path = new StringBuilder();
                for (tools.jackson.core.JacksonException.Reference reference : jackson.getPath()) {
                    String property = reference.getPropertyName();
                    if (property != null) {
                        if (!property.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                            return null;
                        }
                        path.append(path.length() == 0 ? "" : ".").append(property);
                    } else if (reference.getIndex() >= 0) {
                        path.append('[').append(reference.getIndex()).append(']');
                    }
                }
                return path.length() == 0 ? null : path.toString();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    private static void logFailure(Throwable error, ServerWebExchange exchange) {
        LogContext.logging(
                exchange,
                () -> log.error(
                        "request {} {} failed (request id {})",
                        exchange.getRequest().getMethod(),
                        exchange.getRequest().getPath().value(),
                        ErrorBody.requestId(exchange),
                        Redacted.of(error)));
    }

    static String typeOf(HttpStatusCode status) {
        return switch (status.value()) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "body_too_large";
            case 415 -> "invalid_content_type";
            default -> status.is4xxClientError() ? "invalid_request" : "internal_error";
        };
    }

    static String messageOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "Error." : known.getReasonPhrase() + ".";
    }

    /**
     * A failure for the log without its messages: each exception of the chain keeps its class and its
     * frames, and its message becomes its class name.
     */
    static final class Redacted extends RuntimeException {
        private Redacted(Throwable original, Redacted cause) {
            super(original.getClass().getName(), cause, false, true);
            setStackTrace(original.getStackTrace());
        }

        static Redacted of(Throwable error) {
            java.util.ArrayDeque<Throwable> chain = new java.util.ArrayDeque<>();
            for (Throwable t = error; t != null && chain.size() < 20; t = t.getCause() == t ? null : t.getCause()) {
                chain.push(t);
            }
            Redacted built = null;
            while (!chain.isEmpty()) {
                built = new Redacted(chain.pop(), built);
            }
            return built;
        }

        @Override
        public String toString() {
            return "[message redacted] " + getMessage();
        }
    }

    private ErrorMapping() {}
}
