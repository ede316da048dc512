package dev.symbolon.edge.pipeline;

import dev.symbolon.contracts.ProviderCatalogue;
import dev.symbolon.edge.auth.AppDirectory;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.auth.AppTokens;
import dev.symbolon.edge.auth.TokenRevocation;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.provider.ClientCredentials;
import dev.symbolon.edge.provider.SharedKeyEndpoints;
import dev.symbolon.support.web.CanonicalPath;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Routes outside the provider paths: {@code POST /auth/token}, {@code POST /auth/revoke}, and those of existing SafeAPI-Bridge
 * clients. {@code POST /api/{provider}/proxy} with {@code
 * {"endpoint": "/chat/completions", …}} becomes the provider-native request (the rest of the body,
 * without {@code endpoint}) and goes through the same {@link ProxyPipeline} as any other;
 * {@code GET /api/{provider}/endpoints} lists what the caller's policy lets it call.
 */
@Component
class SeedRoutes {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_SEED_BODY = 10 * 1024 * 1024;

    /** Provider name to its native path prefix and the endpoints its SDKs use (the provider catalogue). */
    private static final Map<String, Native> PROVIDERS = ProviderCatalogue.ALL.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(
                    ProviderCatalogue.Entry::name, e -> new Native(e.routePrefix(), e.seedEndpoints())));

    private final ProxyPipeline pipeline;
    private final AppDirectory apps;
    private final AppTokens tokens;
    private final TokenRevocation revocation;
    private final AppCallers callers;
    private final SharedKeyEndpoints sharedKeys;

    SeedRoutes(
            ProxyPipeline pipeline,
            AppDirectory apps,
            AppTokens tokens,
            TokenRevocation revocation,
            AppCallers callers,
            SharedKeyEndpoints sharedKeys) {
        this.pipeline = pipeline;
        this.apps = apps;
        this.tokens = tokens;
        this.revocation = revocation;
        this.callers = callers;
        this.sharedKeys = sharedKeys;
    }

    Mono<ServerResponse> proxy(ServerRequest request) {
        Native provider = PROVIDERS.get(request.pathVariable("provider"));
        if (provider == null) {
            return error(HttpStatus.NOT_FOUND, "unknown_route", "No such provider.");
        }
        if (callers.identify(request) == null) {
            // from the headers alone, before a byte of the body is read (the pipeline checks again)
            return AppCallers.unauthorized(ProxyPipeline.newRequestId());
        }
        return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class), MAX_SEED_BODY)
                .map(buffer -> {
                    try {
                        return buffer.toString(StandardCharsets.UTF_8);
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty("")
                .flatMap(body -> {
                    ObjectNode json;
                    try {
                        JsonNode parsed = JSON.readTree(body);
                        if (!(parsed instanceof ObjectNode object)) {
                            return error(HttpStatus.BAD_REQUEST, "invalid_json", "The body must be a JSON object.");
                        }
                        json = object;
                    } catch (JacksonException e) {
                        return error(HttpStatus.BAD_REQUEST, "invalid_json", "The request body is not valid JSON.");
                    }
                    String endpoint = json.path("endpoint").asString("");
                    if (!CanonicalPath.isCanonical(endpoint)) {
                        return error(
                                HttpStatus.BAD_REQUEST,
                                "invalid_endpoint",
                                "endpoint must be a provider path like /chat/completions.");
                    }
                    json.remove("endpoint");
                    URI nativeUri = UriComponentsBuilder.fromUri(request.uri())
                            .replacePath(provider.prefix() + endpoint)
                            .build(true)
                            .toUri();
                    ServerRequest rewritten = ServerRequest.from(request)
                            .uri(nativeUri)
                            .body(JSON.writeValueAsString(json))
                            .build();
                    return pipeline.handle(rewritten);
                });
    }

    Mono<ServerResponse> endpoints(ServerRequest request) {
        String name = request.pathVariable("provider");
        Native provider = PROVIDERS.get(name);
        if (provider == null) {
            return error(HttpStatus.NOT_FOUND, "unknown_route", "No such provider.");
        }
        String credential = ClientCredentials.bearer(request.headers().asHttpHeaders());
        if (!(apps.authenticate(credential) instanceof AppDirectory.Accepted accepted)) {
            return error(HttpStatus.UNAUTHORIZED, "invalid_credential", "Missing or invalid API credential.");
        }
        List<String> allowed = accepted.policy().allowsProvider(name)
                ? provider.endpoints().stream()
                        .filter(accepted.policy()::allowsEndpoint)
                        .filter(endpoint -> sharedKeys.allows(name, HttpMethod.POST, endpoint, false)
                                || sharedKeys.allows(name, HttpMethod.GET, endpoint, false))
                        .toList()
                : List.of();
        return ServerResponse.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("provider", name, "endpoints", allowed));
    }

    /** {@code POST /auth/token}: an app key (not a token) buys a short-lived token. */
    Mono<ServerResponse> token(ServerRequest request) {
        String credential = ClientCredentials.bearer(request.headers().asHttpHeaders());
        if (AppTokens.looksLikeToken(credential)
                || !(apps.authenticate(credential) instanceof AppDirectory.Accepted accepted)) {
            return error(HttpStatus.UNAUTHORIZED, "invalid_credential", "An active app API key is required.");
        }
        String token =
                tokens.issue(accepted.identity().tenantId(), accepted.identity().appId(), accepted.credentialId());
        return ServerResponse.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .header("Cache-Control", "no-store")
                .bodyValue(Map.of(
                        "access_token",
                        token,
                        "token_type",
                        "Bearer",
                        "expires_in",
                        tokens.ttl().toSeconds()));
    }

    /**
     * {@code POST /auth/revoke}, after RFC 7009: the token to revoke is the form or JSON field {@code
     * token}, or else the bearer token itself. The caller authenticates with its app key or with a
     * token of its own; a token of another app is refused (403). An unreadable or expired token is
     * answered 200 with {@code revoked: false}: there is nothing left to revoke.
     */
    Mono<ServerResponse> revoke(ServerRequest request) {
        String requestId = ProxyPipeline.newRequestId();
        String credential = AppCallers.credential(request);
        AppIdentity caller = callers.identify(credential);
        if (caller == null) {
            return AppCallers.unauthorized(requestId);
        }
        String sourceIp = request.remoteAddress()
                .map(address -> address.getAddress().getHostAddress())
                .orElse(null);
        return tokenField(request)
                .defaultIfEmpty(AppTokens.looksLikeToken(credential) ? credential : "")
                .flatMap(token -> {
                    AppTokens.Claims claims = tokens.verify(token).orElse(null);
                    if (claims == null) {
                        return revoked(false);
                    }
                    if (!claims.tenantId().equals(caller.tenantId())
                            || !claims.appId().equals(caller.appId())) {
                        return error(HttpStatus.FORBIDDEN, "token_not_yours", "This token belongs to another app.");
                    }
                    return revocation
                            .revoke(claims, sourceIp, requestId)
                            .then(revoked(true))
                            .onErrorResume(e -> error(
                                    HttpStatus.SERVICE_UNAVAILABLE,
                                    "revocation_unavailable",
                                    "The token could not be revoked now; try again."));
                })
                .onErrorResume(
                        DataBufferLimitException.class,
                        e -> error(HttpStatus.CONTENT_TOO_LARGE, "body_too_large", "The request body is too large."))
                .onErrorResume(GatewayException.class, e -> ErrorResponses.of(e, requestId, 0));
    }

    /** The {@code token} field of a form or JSON body; empty when there is none. */
    private static Mono<String> tokenField(ServerRequest request) {
        MediaType type;
        try {
            type = request.headers().contentType().orElse(null);
        } catch (org.springframework.http.InvalidMediaTypeException e) {
            return Mono.error(new GatewayException(
                    HttpStatus.BAD_REQUEST, "invalid_content_type", "The Content-Type header is not a media type."));
        }
        if (type != null && MediaType.APPLICATION_FORM_URLENCODED.isCompatibleWith(type)) {
            return request.formData().mapNotNull(form -> form.getFirst("token"));
        }
        if (type != null && type.getSubtype().contains("json")) {
            return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class), 64 * 1024)
                    .mapNotNull(buffer -> {
                        try {
                            JsonNode token = JSON.readTree(buffer.toString(StandardCharsets.UTF_8))
                                    .get("token");
                            return token != null && token.isString() ? token.asString() : null;
                        } catch (JacksonException e) {
                            return null;
                        } finally {
                            DataBufferUtils.release(buffer);
                        }
                    });
        }
        return Mono.empty();
    }

    private static Mono<ServerResponse> revoked(boolean revoked) {
        return ServerResponse.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .header("Cache-Control", "no-store")
                .bodyValue(Map.of("revoked", revoked));
    }

    private static Mono<ServerResponse> error(HttpStatus status, String type, String message) {
        return ErrorResponses.of(new GatewayException(status, type, message), ProxyPipeline.newRequestId(), 0);
    }

    private record Native(String prefix, List<String> endpoints) {}
}
