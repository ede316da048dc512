package dev.symbolon.support.web;

import java.util.Map;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * The one error shape for every service ({@link ErrorMapping}): for controllers (an advice that knows
 * only the shared failure types, so a service's own advice for its domain exceptions still applies),
 * and for everything else (filters, router functions, unknown paths, unexpected failures) a
 * {@link WebExceptionHandler} ahead of Boot's default one.
 */
public final class ErrorHandlers {

    @RestControllerAdvice
    @Order(0)
    public static class Advice {

        @ExceptionHandler({ClientError.class, WebExchangeBindException.class, ResponseStatusException.class})
        ResponseEntity<Map<String, Object>> handle(Exception error, ServerWebExchange exchange) {
            ErrorMapping.Answer answer = ErrorMapping.of(error, exchange);
            return ResponseEntity.status(answer.status()).body(answer.body());
        }
    }

    /** Everything no controller advice answered, in the same shape. */
    @Order(-2)
    public static class Fallback implements WebExceptionHandler {

        @Override
        public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
            if (exchange.getResponse().isCommitted()) {
                return Mono.error(error);
            }
            ErrorMapping.Answer answer = ErrorMapping.of(error, exchange);
            return ErrorBody.write(exchange, answer.status(), answer.body());
        }
    }

    private ErrorHandlers() {}
}
