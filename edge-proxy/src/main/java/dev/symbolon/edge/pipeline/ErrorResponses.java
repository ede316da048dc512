package dev.symbolon.edge.pipeline;

import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.support.web.ErrorBody;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** The edge's error responses, in service-support's one shape ({@link ErrorBody}). */
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
        return ErrorBody.of(type, message, requestId, null);
    }

    /** The same shape as bytes, for places that write the response themselves. */
    static byte[] json(String type, String message, String requestId) {
        return ErrorBody.json(type, message, requestId);
    }

    /** The SSE event that ends a stream the upstream cut: the client sees an error, never a clean end. */
    static byte[] sseEvent(String type, String message, String requestId) {
        byte[] json = json(type, message, requestId);
        byte[] head = "event: error\ndata: ".getBytes(StandardCharsets.UTF_8);
        byte[] event = new byte[head.length + json.length + 2];
        System.arraycopy(head, 0, event, 0, head.length);
        System.arraycopy(json, 0, event, head.length, json.length);
        event[event.length - 2] = '\n';
        event[event.length - 1] = '\n';
        return event;
    }

    private ErrorResponses() {}
}
