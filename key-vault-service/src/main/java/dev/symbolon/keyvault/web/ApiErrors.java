package dev.symbolon.keyvault.web;

import dev.symbolon.keyvault.keys.ProviderKeys;
import dev.symbolon.keyvault.store.ConcurrentChangeException;
import dev.symbolon.keyvault.store.KeyStoreUnavailableException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;

/**
 * Every failure as {@code {"error":{"type","message"}}} with its status. Messages are fixed texts or
 * validation texts written here: never an exception's own message that could quote a request body
 * (and so a key).
 */
@RestControllerAdvice
class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, Object>> invalid(IllegalArgumentException e) {
        return error(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage());
    }

    @ExceptionHandler(ServerWebInputException.class)
    ResponseEntity<Map<String, Object>> unreadable(ServerWebInputException e) {
        return error(
                HttpStatus.BAD_REQUEST, "invalid_request", "The request body is not valid JSON of the expected shape.");
    }

    @ExceptionHandler(ProviderKeys.UnknownKeyException.class)
    ResponseEntity<Map<String, Object>> unknown(ProviderKeys.UnknownKeyException e) {
        return error(HttpStatus.NOT_FOUND, "key_not_found", "No such active key.");
    }

    @ExceptionHandler(ConcurrentChangeException.class)
    ResponseEntity<Map<String, Object>> conflict(ConcurrentChangeException e) {
        return error(HttpStatus.CONFLICT, "concurrent_change", "The key changed meanwhile; read it again and retry.");
    }

    @ExceptionHandler(KeyStoreUnavailableException.class)
    ResponseEntity<Map<String, Object>> unavailable(KeyStoreUnavailableException e) {
        log.warn("key store unavailable: {}", e.reason());
        return error(
                HttpStatus.SERVICE_UNAVAILABLE,
                "key_store_unavailable",
                "The key store cannot be reached right now (" + e.reason() + "); try again.");
    }

    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<Map<String, Object>> status(ResponseStatusException e) {
        HttpStatus status = HttpStatus.resolve(e.getStatusCode().value());
        return error(
                status == null ? HttpStatus.INTERNAL_SERVER_ERROR : status,
                e.getStatusCode().value() == 404 ? "not_found" : "invalid_request",
                e.getReason() == null ? "The request cannot be served." : e.getReason());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e) {
        // The class name only: a message could quote material.
        log.error("unexpected failure: {}", e.getClass().getName());
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "The request failed unexpectedly.");
    }

    static ResponseEntity<Map<String, Object>> error(HttpStatus status, String type, String message) {
        return ResponseEntity.status(status).body(Map.of("error", Map.of("type", type, "message", message)));
    }
}
