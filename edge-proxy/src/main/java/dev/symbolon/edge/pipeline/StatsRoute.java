package dev.symbolon.edge.pipeline;

import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.call.GatewayException;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Seed-compatible {@code GET /analytics/my-stats}: an app, authenticated with its key or token, reads
 * its own usage and cost of the current day and month (its tenant's time zone) from
 * usage-analytics-service's internal endpoint. The app can only ever name itself.
 */
@Component
class StatsRoute {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final WebClient http;
    private final AppCallers callers;

    StatsRoute(EdgeProperties properties, WebClient.Builder builder, AppCallers callers) {
        EdgeProperties.Analytics analytics = properties.analytics();
        this.http = builder.clone()
                .baseUrl(analytics.baseUrl().toString())
                .defaultHeaders(h -> h.setBearerAuth(analytics.serviceToken().reveal()))
                .build();
        this.callers = callers;
    }

    Mono<ServerResponse> myStats(ServerRequest request) {
        String requestId = ProxyPipeline.newRequestId();
        AppIdentity caller = callers.identify(request);
        if (caller == null) {
            return AppCallers.unauthorized(requestId);
        }
        return http.get()
                .uri(u -> u.path("/internal/v1/app-stats")
                        .queryParam("tenantId", caller.tenantId())
                        .queryParam("appId", caller.appId())
                        .build())
                .header("x-request-id", requestId)
                .retrieve()
                .bodyToMono(String.class)
                .timeout(TIMEOUT)
                .flatMap(body -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .header(ProxyPipeline.REQUEST_ID, requestId)
                        .header("Cache-Control", "no-store")
                        .bodyValue(body))
                .onErrorResume(e -> error(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "stats_unavailable",
                        "Usage statistics cannot be read right now; try again.",
                        requestId));
    }

    private static Mono<ServerResponse> error(HttpStatus status, String type, String message, String requestId) {
        return ErrorResponses.of(new GatewayException(status, type, message), requestId, 0);
    }
}
