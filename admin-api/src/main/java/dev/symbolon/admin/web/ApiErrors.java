package dev.symbolon.admin.web;

import dev.symbolon.support.web.ErrorBody;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every error of the admin API has one shape: {@code {"error":{"type","message","requestId"}}}, plus
 * {@code fields} for validation errors. Never a stack trace or an exception's own text.
 */
@RestControllerAdvice
public class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> api(ApiException e, ServerWebExchange exchange) {
        return ResponseEntity.status(e.status()).body(body(e.type(), e.getMessage(), exchange, null));
    }

    @ExceptionHandler(WebExchangeBindException.class)
    ResponseEntity<Map<String, Object>> validation(WebExchangeBindException e, ServerWebExchange exchange) {
        List<Map<String, String>> fields = e.getFieldErrors().stream()
                .map(f -> Map.of(
                        "field",
                        f.getField(),
                        "message",
                        f.getDefaultMessage() == null ? "invalid" : f.getDefaultMessage()))
                .toList();
        return ResponseEntity.badRequest()
                .body(body("invalid_request", "The request has invalid fields.", exchange, fields));
    }

    @ExceptionHandler(ServerWebInputException.class)
    ResponseEntity<Map<String, Object>> input(ServerWebInputException e, ServerWebExchange exchange) {
        return ResponseEntity.badRequest()
                .body(body("invalid_request", "The request could not be read: " + reason(e), exchange, null));
    }

    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<Map<String, Object>> status(ResponseStatusException e, ServerWebExchange exchange) {
        return ResponseEntity.status(e.getStatusCode())
                .body(body(typeOf(e.getStatusCode()), messageOf(e.getStatusCode()), exchange, null));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e, ServerWebExchange exchange) {
        log.error(
                "unhandled error on {} {}",
                exchange.getRequest().getMethod(),
                exchange.getRequest().getPath(),
                e);
        return ResponseEntity.internalServerError()
                .body(body("internal_error", "The request failed; it has been logged.", exchange, null));
    }

    static Map<String, Object> body(
            String type, String message, ServerWebExchange exchange, List<Map<String, String>> fields) {
        return ErrorBody.of(type, message, ErrorBody.requestId(exchange), fields);
    }

    private static String reason(ServerWebInputException e) {
        return e.getReason() == null ? "malformed input" : e.getReason();
    }

    private static String typeOf(HttpStatusCode status) {
        return status.value() == 404 ? "not_found" : status.is4xxClientError() ? "invalid_request" : "internal_error";
    }

    private static String messageOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "Error." : known.getReasonPhrase() + ".";
    }

    /** Errors raised outside controllers (unknown paths, filters) in the same shape. */
    @Component
    @Order(-2)
    static class Fallback implements WebExceptionHandler {

        @Override
        public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
            ServerHttpResponse response = exchange.getResponse();
            if (response.isCommitted()) {
                return Mono.error(error);
            }
            HttpStatusCode status;
            Map<String, Object> body;
            if (error instanceof ApiException api) {
                status = api.status();
                body = body(api.type(), api.getMessage(), exchange, null);
            } else if (error instanceof ResponseStatusException rse) {
                status = rse.getStatusCode();
                body = body(typeOf(status), messageOf(status), exchange, null);
            } else {
                log.error("unhandled error on {}", exchange.getRequest().getPath(), error);
                status = HttpStatus.INTERNAL_SERVER_ERROR;
                body = body("internal_error", "The request failed; it has been logged.", exchange, null);
            }
            response.setStatusCode(status);
            response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
            byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
            return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
        }
    }
}
