package dev.symbolon.edge.pipeline;

import dev.symbolon.edge.auth.AppDirectory;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.auth.AppTokens;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.provider.ClientCredentials;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Which app calls one of the edge's own routes ({@code /auth/revoke}, {@code /byok/keys},
 * {@code /analytics/my-stats}, …): its app key or app token, sent as a bearer.
 */
@Component
class AppCallers {

    private final AppDirectory apps;
    private final AppTokens tokens;

    AppCallers(AppDirectory apps, AppTokens tokens) {
        this.apps = apps;
        this.tokens = tokens;
    }

    /** The credential the request carries (null when none). */
    static String credential(ServerRequest request) {
        return ClientCredentials.bearer(request.headers().asHttpHeaders());
    }

    /** The app behind an app key or app token; null when it is not an active one. */
    AppIdentity identify(String credential) {
        return apps.authenticateAny(credential, tokens) instanceof AppDirectory.Accepted accepted
                ? accepted.identity()
                : null;
    }

    AppIdentity identify(ServerRequest request) {
        return identify(credential(request));
    }

    /** The 401 for a request without an active app key or token. */
    static Mono<ServerResponse> unauthorized(String requestId) {
        return ErrorResponses.of(
                new GatewayException(
                        HttpStatus.UNAUTHORIZED, "invalid_credential", "An app API key or app token is required."),
                requestId,
                0);
    }
}
