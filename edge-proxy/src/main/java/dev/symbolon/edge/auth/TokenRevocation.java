package dev.symbolon.edge.auth;

import dev.symbolon.edge.EdgeProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Revokes one app token: admin-api records it (its internal, service-authenticated endpoint), which
 * puts it in the tenant's {@code tenant-config.v1} snapshot for every other edge; this edge refuses
 * it at once. If admin-api cannot be reached the revocation fails (and is not half-applied here), so
 * the client knows to retry.
 */
@Component
public class TokenRevocation {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final WebClient http;
    private final AppDirectory directory;

    TokenRevocation(EdgeProperties properties, WebClient.Builder builder, AppDirectory directory) {
        EdgeProperties.AdminApi adminApi = properties.adminApi();
        this.http = builder.clone()
                .baseUrl(adminApi.baseUrl().toString())
                .defaultHeaders(h -> h.setBearerAuth(adminApi.serviceToken().reveal()))
                .build();
        this.directory = directory;
    }

    public Mono<Void> revoke(AppTokens.Claims token, String sourceIp, String requestId) {
        if (!token.expiresAt().isAfter(Instant.now())) {
            return Mono.empty(); // nothing left to revoke
        }
        return http.post()
                .uri("/internal/v1/app-token-revocations")
                .header("x-request-id", requestId)
                .bodyValue(Map.of(
                        "tenantId", token.tenantId(),
                        "appId", token.appId(),
                        "tokenId", token.tokenId(),
                        "expiresAt", token.expiresAt().toString(),
                        "sourceIp", sourceIp))
                .retrieve()
                .toBodilessEntity()
                .timeout(TIMEOUT)
                .doOnSuccess(ok -> directory.revoked(token.tokenId(), token.expiresAt()))
                .then();
    }
}
