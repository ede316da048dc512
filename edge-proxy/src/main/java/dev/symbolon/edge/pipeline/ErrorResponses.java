package dev.symbolon.edge.pipeline;

import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** The one error shape of the edge: {@code {"error":{"type","message","requestId"}}}. */
final class ErrorResponses {

    /** Names the limit behind a 429, e.g. {@code requests-per-minute (app)}. */
    static final String LIMIT = "x-symbolon-limit";

    static Mono<ServerResponse> of(GatewayException e, String requestId, long overheadMs) {
        ServerResponse.BodyBuilder response = ServerResponse.status(e.status())
                .contentType(MediaType.APPLICATION_JSON)
                .header(ProxyPipeline.REQUEST_ID, requestId)
                .header(ProxyPipeline.OVERHEAD, Long.toString(overheadMs));
        if (e.status() == HttpStatus.UNAUTHORIZED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (e.limit() != null) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
            response.header(LIMIT, e.limit());
        }
        return response.bodyValue(body(e.type(), e.getMessage(), requestId));
    }

    static Map<String, Object> body(String type, String message, String requestId) {
        return Map.of("error", Map.of("type", type, "message", message, "requestId", requestId));
    }

    private ErrorResponses() {}
}
