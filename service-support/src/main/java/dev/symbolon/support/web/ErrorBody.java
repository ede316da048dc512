package dev.symbolon.support.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one error shape of every Symbolon service: {@code {"error":{"type","message","requestId"}}},
 * plus {@code fields} for validation errors. Messages name what was wrong and never carry an
 * exception's own text or a stack trace.
 */
public final class ErrorBody {

    /** The header every response carries its request id in. */
    public static final String REQUEST_ID = "x-request-id";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The body as a map, for controllers that return it. */
    public static Map<String, Object> of(String type, String message, String requestId, List<?> fields) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", type);
        error.put("message", message);
        error.put("requestId", requestId);
        if (fields != null) {
            error.put("fields", fields);
        }
        return Map.of("error", error);
    }

    public static byte[] json(String type, String message, String requestId) {
        return JSON.writeValueAsBytes(of(type, message, requestId, null));
    }

    /** The request id of an exchange: the one already on the response, else the server's own. */
    public static String requestId(ServerWebExchange exchange) {
        String onResponse = exchange.getResponse().getHeaders().getFirst(REQUEST_ID);
        return onResponse != null ? onResponse : exchange.getRequest().getId();
    }

    /** Ends the exchange with this error (for filters, which answer before any controller runs). */
    public static Mono<Void> write(ServerWebExchange exchange, HttpStatusCode status, String type, String message) {
        return write(exchange, status, of(type, message, requestId(exchange), null));
    }

    /** Ends the exchange with an error body built by {@link #of}. */
    public static Mono<Void> write(ServerWebExchange exchange, HttpStatusCode status, Map<String, Object> body) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().set(REQUEST_ID, requestId(exchange));
        if (status.value() == 401) {
            response.getHeaders().set("WWW-Authenticate", "Bearer");
        }
        return response.writeWith(Mono.just(response.bufferFactory().wrap(JSON.writeValueAsBytes(body))));
    }

    private ErrorBody() {}
}
