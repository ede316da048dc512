package dev.symbolon.keyvault.web;

import dev.symbolon.keyvault.keys.ProviderKeys;
import dev.symbolon.keyvault.store.ConcurrentChangeException;
import dev.symbolon.keyvault.store.KeyStoreUnavailableException;
import dev.symbolon.support.web.ErrorBody;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;

/**
 * key-vault's own failures in the one error shape (service-support's handlers answer bad input and
 * unexpected failures). Messages are fixed texts or validation texts written here: never an
 * exception's own message that could quote a request body (and so a key).
 */
@RestControllerAdvice
class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, Object>> invalid(IllegalArgumentException e, ServerWebExchange exchange) {
        return error(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage(), exchange);
    }

    @ExceptionHandler(ProviderKeys.UnknownKeyException.class)
    ResponseEntity<Map<String, Object>> unknown(ProviderKeys.UnknownKeyException e, ServerWebExchange exchange) {
        return error(HttpStatus.NOT_FOUND, "key_not_found", "No such active key.", exchange);
    }

    @ExceptionHandler(ConcurrentChangeException.class)
    ResponseEntity<Map<String, Object>> conflict(ConcurrentChangeException e, ServerWebExchange exchange) {
        return error(
                HttpStatus.CONFLICT,
                "concurrent_change",
                "The key changed meanwhile; read it again and retry.",
                exchange);
    }

    @ExceptionHandler(KeyStoreUnavailableException.class)
    ResponseEntity<Map<String, Object>> unavailable(KeyStoreUnavailableException e, ServerWebExchange exchange) {
        log.warn("key store unavailable: {}", e.reason());
        return error(
                HttpStatus.SERVICE_UNAVAILABLE,
                "key_store_unavailable",
                "The key store cannot be reached right now (" + e.reason() + "); try again.",
                exchange);
    }

    static ResponseEntity<Map<String, Object>> error(
            HttpStatus status, String type, String message, ServerWebExchange exchange) {
        return ResponseEntity.status(status).body(ErrorBody.of(type, message, ErrorBody.requestId(exchange), null));
    }
}
