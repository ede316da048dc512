package dev.symbolon.edge.pipeline;

import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.keys.TenantKeysApi;
import java.util.regex.Pattern;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tenant's backends manage its own provider keys here, authenticated with an app key or token of
 * the tenant: {@code /byok/keys} (split by default, or {@code "kind":"managed"}) and the
 * seed-compatible {@code /api/split-key}. The answer to a create or rotate carries the split key's
 * client part once; the edge keeps nothing of it.
 *
 * <pre>
 * POST   /byok/keys                 {provider, apiKey, label, kind}   201 {keyId, …, clientPart}
 * GET    /byok/keys                                                   200 [{keyId, provider, kind, …}]
 * GET    /byok/keys/{keyId}                                           200 {keyId, …}
 * POST   /byok/keys/{keyId}/rotate  {apiKey}                          200 {keyId, keyVersion, …, clientPart}
 * DELETE /byok/keys/{keyId}                                           204
 * POST   /api/split-key/split       {provider, apiKey, label}         201 (as POST /byok/keys, kind split)
 * GET    /api/split-key, GET|DELETE /api/split-key/{keyId}            (as above, split keys only in the list)
 * </pre>
 */
@Component
class KeyRoutes {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_BODY = 64 * 1024;
    private static final Pattern KEY_ID = Pattern.compile("key_[a-z0-9]{1,60}");

    private final TenantKeysApi keys;
    private final AppCallers callers;

    KeyRoutes(TenantKeysApi keys, AppCallers callers) {
        this.keys = keys;
        this.callers = callers;
    }

    Mono<ServerResponse> create(ServerRequest request) {
        return withCaller(request, (caller, requestId) -> body(request).flatMap(json -> {
            if (!json.has("kind")) {
                json.put("kind", "split");
            }
            return forward(request, HttpMethod.POST, caller, "", json, requestId);
        }));
    }

    Mono<ServerResponse> split(ServerRequest request) {
        return withCaller(request, (caller, requestId) -> body(request).flatMap(json -> {
            json.put("kind", "split");
            return forward(request, HttpMethod.POST, caller, "", json, requestId);
        }));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        boolean splitOnly = request.path().startsWith("/api/split-key");
        return withCaller(request, (caller, requestId) -> keys.call(
                        HttpMethod.GET, caller, "", null, sourceIp(request), requestId)
                .flatMap(answer -> {
                    if (answer.status() != 200 || !splitOnly) {
                        return relay(answer, requestId);
                    }
                    JsonNode all = JSON.readTree(answer.body());
                    var splitKeys = JSON.createArrayNode();
                    all.forEach(k -> {
                        if ("split".equals(k.path("kind").asString())) {
                            splitKeys.add(k);
                        }
                    });
                    return ServerResponse.ok()
                            .contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(splitKeys.toString());
                }));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return withKey(request, (caller, keyId, requestId) -> keys.call(
                        HttpMethod.GET, caller, "/" + keyId, null, sourceIp(request), requestId)
                .flatMap(answer -> relay(answer, requestId)));
    }

    Mono<ServerResponse> rotate(ServerRequest request) {
        return withKey(request, (caller, keyId, requestId) -> body(request)
                .flatMap(json -> forward(request, HttpMethod.POST, caller, "/" + keyId + "/rotate", json, requestId)));
    }

    Mono<ServerResponse> revoke(ServerRequest request) {
        return withKey(request, (caller, keyId, requestId) -> keys.call(
                        HttpMethod.DELETE, caller, "/" + keyId, null, sourceIp(request), requestId)
                .flatMap(answer -> relay(answer, requestId)));
    }

    private Mono<ServerResponse> forward(
            ServerRequest request,
            HttpMethod method,
            AppIdentity caller,
            String path,
            ObjectNode json,
            String requestId) {
        return keys.call(method, caller, path, JSON.writeValueAsBytes(json), sourceIp(request), requestId)
                .flatMap(answer -> relay(answer, requestId));
    }

    /** key-vault-service's answer, with a created or rotated key flattened next to its client part. */
    private static Mono<ServerResponse> relay(TenantKeysApi.Answer answer, String requestId) {
        if (answer.status() == 204) {
            return ServerResponse.noContent()
                    .header(ProxyPipeline.REQUEST_ID, requestId)
                    .build();
        }
        JsonNode body;
        try {
            body = answer.body().length == 0 ? null : JSON.readTree(answer.body());
        } catch (JacksonException e) {
            body = null;
        }
        if (answer.status() >= 500 || body == null) {
            return error(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "key_store_unavailable",
                    "Keys cannot be managed right now; try again.",
                    requestId);
        }
        if (answer.status() >= 400) {
            JsonNode error = body.path("error");
            String type = answer.status() == 404
                    ? "key_not_found"
                    : error.path("type").asString("invalid_request");
            String message = answer.status() == 404
                    ? "No such key."
                    : error.path("message").asString("Bad request.");
            HttpStatus status = HttpStatus.resolve(answer.status());
            return error(status == null ? HttpStatus.BAD_REQUEST : status, type, message, requestId);
        }
        if (body.has("key") && body.path("key").isObject()) {
            ObjectNode flat = ((ObjectNode) body.path("key")).deepCopy();
            if (body.hasNonNull("clientPart")) {
                flat.set("clientPart", body.get("clientPart"));
            }
            body = flat;
        }
        return ServerResponse.status(answer.status())
                .contentType(MediaType.APPLICATION_JSON)
                .header(ProxyPipeline.REQUEST_ID, requestId)
                .header("Cache-Control", "no-store")
                .bodyValue(body.toString());
    }

    private Mono<ObjectNode> body(ServerRequest request) {
        return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class), MAX_BODY)
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return bytes;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty(new byte[0])
                .map(bytes -> {
                    try {
                        if (JSON.readTree(bytes) instanceof ObjectNode object) {
                            return object;
                        }
                    } catch (JacksonException e) {
                        // answered below, without quoting the body (it may hold a key)
                    }
                    throw new GatewayException(
                            HttpStatus.BAD_REQUEST, "invalid_json", "The body must be a JSON object.");
                })
                .onErrorMap(
                        DataBufferLimitException.class,
                        e -> new GatewayException(
                                HttpStatus.CONTENT_TOO_LARGE, "body_too_large", "The request body is too large."));
    }

    private Mono<ServerResponse> withCaller(ServerRequest request, Handler handler) {
        String requestId = ProxyPipeline.newRequestId();
        AppIdentity caller = callers.identify(request);
        if (caller == null) {
            return AppCallers.unauthorized(requestId);
        }
        return handler.handle(caller, requestId)
                .onErrorResume(GatewayException.class, e -> error(e.status(), e.type(), e.getMessage(), requestId))
                .onErrorResume(
                        e -> !(e instanceof GatewayException),
                        e -> error(
                                HttpStatus.SERVICE_UNAVAILABLE,
                                "key_store_unavailable",
                                "Keys cannot be managed right now; try again.",
                                requestId));
    }

    private Mono<ServerResponse> withKey(ServerRequest request, KeyHandler handler) {
        String keyId = request.pathVariable("keyId");
        return withCaller(
                request,
                (caller, requestId) -> KEY_ID.matcher(keyId).matches()
                        ? handler.handle(caller, keyId, requestId)
                        : error(HttpStatus.NOT_FOUND, "key_not_found", "No such key.", requestId));
    }

    private static String sourceIp(ServerRequest request) {
        return request.remoteAddress()
                .map(address -> address.getAddress().getHostAddress())
                .orElse(null);
    }

    private static Mono<ServerResponse> error(HttpStatus status, String type, String message, String requestId) {
        return ErrorResponses.of(new GatewayException(status, type, message), requestId, 0);
    }

    private interface Handler {
        Mono<ServerResponse> handle(AppIdentity caller, String requestId);
    }

    private interface KeyHandler {
        Mono<ServerResponse> handle(AppIdentity caller, String keyId, String requestId);
    }
}
