package dev.symbolon.edge.keys;

import dev.symbolon.edge.auth.AppIdentity;
import java.time.Duration;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * A tenant's own keys managed by its backends through the edge ({@code /byok/keys},
 * {@code /api/split-key}): each call goes to key-vault-service's internal API for the caller's tenant
 * only, naming the calling app for the audit log. The answers come back as key-vault-service gave
 * them (its bodies never hold key material, except a new split key's client part, once).
 */
@Component
public class TenantKeysApi {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final WebClient http;

    TenantKeysApi(KeyVaultClient keyVault) {
        this.http = keyVault.http();
    }

    /** One call for the caller's tenant: {@code path} is relative to its keys ({@code ""}, {@code /key_x}). */
    public Mono<Answer> call(
            HttpMethod method, AppIdentity caller, String path, byte[] body, String sourceIp, String requestId) {
        WebClient.RequestBodySpec request = http.method(method)
                .uri("/internal/v1/tenants/" + caller.tenantId() + "/keys" + path)
                .header("X-Symbolon-Actor", caller.appId())
                .header("X-Symbolon-Actor-Role", "app")
                .header("x-request-id", requestId);
        if (sourceIp != null) {
            request.header("X-Forwarded-For", sourceIp);
        }
        WebClient.RequestHeadersSpec<?> withBody = body == null
                ? request
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        return withBody.exchangeToMono(response -> response.bodyToMono(byte[].class)
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> new Answer(response.statusCode().value(), bytes)))
                .timeout(TIMEOUT);
    }

    /** key-vault-service's status and body. */
    public record Answer(int status, byte[] body) {
        @Override
        public String toString() {
            return "Answer[" + status + "]";
        }
    }
}
