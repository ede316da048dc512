package dev.symbolon.edge.keys;

import dev.symbolon.contracts.Secret;
import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.pipeline.GatewayException;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;

/**
 * The edge's only line to key-vault-service: its internal, service-authenticated endpoint, called on
 * cache misses only.
 */
@Component
class KeyVaultClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final WebClient http;

    KeyVaultClient(EdgeProperties properties, WebClient.Builder builder) {
        EdgeProperties.KeyVault keyVault = properties.keyVault();
        this.http = builder.clone()
                .baseUrl(keyVault.baseUrl().toString())
                .defaultHeaders(h -> h.setBearerAuth(keyVault.serviceToken().reveal()))
                .build();
    }

    Mono<ProviderKey> serverKey(String provider) {
        return http.get()
                .uri("/internal/v1/server-keys/{provider}", provider)
                .retrieve()
                .onStatus(HttpStatusCode::is4xxClientError, response -> response.releaseBody()
                        .then(Mono.error(
                                response.statusCode().value() == 404
                                        ? new GatewayException(
                                                HttpStatus.FORBIDDEN,
                                                "provider_not_configured",
                                                "No key is configured for provider '" + provider + "'.")
                                        : keyServiceFailure())))
                .onStatus(HttpStatusCode::is5xxServerError, response -> response.releaseBody()
                        .then(Mono.error(keyServiceFailure())))
                .bodyToMono(KeyResponse.class)
                .timeout(TIMEOUT, Mono.error(keyServiceFailure()))
                .onErrorMap(WebClientRequestException.class, e -> keyServiceFailure())
                .map(r -> new ProviderKey(r.keyId(), r.provider(), r.kind(), r.keyVersion(), Secret.of(r.apiKey())));
    }

    private static GatewayException keyServiceFailure() {
        return new GatewayException(
                HttpStatus.BAD_GATEWAY, "key_unavailable", "The provider key could not be fetched; try again.");
    }

    /** Wire shape of key-vault-service's internal key response. */
    record KeyResponse(String keyId, String provider, String kind, int keyVersion, String apiKey) {
        @Override
        public String toString() {
            return "KeyResponse[" + keyId + "]";
        }
    }
}
