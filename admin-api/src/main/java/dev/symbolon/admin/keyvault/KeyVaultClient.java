package dev.symbolon.admin.keyvault;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.contracts.Secret;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * admin-api's one line to key-vault-service, which holds key material admin-api must never store:
 * webhook signing secrets. Service-authenticated; any failure is a 503 for the admin's request, so no
 * change commits without its secret.
 */
@Component
public class KeyVaultClient {

    private static final Logger log = LoggerFactory.getLogger(KeyVaultClient.class);

    private final RestClient http;

    KeyVaultClient(AdminProperties properties) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build());
        requests.setReadTimeout(Duration.ofSeconds(10));
        this.http = RestClient.builder()
                .requestFactory(requests)
                .baseUrl(properties.keyVault().baseUrl().toString())
                .defaultHeader(
                        "Authorization",
                        "Bearer " + properties.keyVault().serviceToken().reveal())
                .defaultHeader("X-Symbolon-Caller", "admin-api")
                .build();
    }

    public void storeWebhookSecret(String tenantId, String endpointId, int version, Secret secret) {
        call(() -> http.put()
                .uri("/internal/v1/webhook-secrets/{t}/{e}/v{v}", tenantId, endpointId, version)
                .contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("secret", secret.reveal()))
                .retrieve()
                .toBodilessEntity());
    }

    public void destroyWebhookSecret(String tenantId, String endpointId, Integer version) {
        call(() -> (version == null
                        ? http.delete().uri("/internal/v1/webhook-secrets/{t}/{e}", tenantId, endpointId)
                        : http.delete().uri("/internal/v1/webhook-secrets/{t}/{e}/v{v}", tenantId, endpointId, version))
                .retrieve()
                .toBodilessEntity());
    }

    /**
     * Registers a provider's server key in key-vault-service (a new label joins the provider's pool; a
     * label it holds is rotated); the key passes through, never kept.
     *
     * @param weight the key's share of its pool's requests; null keeps it (1 for a new key)
     */
    public ServerKeyRef registerServerKey(
            String provider, Secret apiKey, String label, String scopeTenantId, Integer weight) {
        Map<String, Object> body = new java.util.HashMap<>();
        body.put("provider", provider);
        body.put("apiKey", apiKey.reveal());
        body.put("label", label == null ? "" : label);
        if (scopeTenantId != null) {
            body.put("scopeTenantId", scopeTenantId);
        }
        if (weight != null) {
            body.put("weight", weight);
        }
        ServerKeyRef[] result = new ServerKeyRef[1];
        call(() -> result[0] = http.post()
                .uri("/internal/v1/server-keys")
                .contentType(MediaType.APPLICATION_JSON)
                .body(body)
                .retrieve()
                .body(ServerKeyRef.class));
        return result[0];
    }

    public void revokeServerKey(String keyId) {
        call(() -> http.delete()
                .uri("/internal/v1/server-keys/by-id/{id}", keyId)
                .retrieve()
                .toBodilessEntity());
    }

    /**
     * One call on key-vault-service's key API ({@code /internal/v1/...}) on behalf of an admin, whose
     * subject and role go to key-vault-service's audit entry. 4xx answers become the same status here
     * (their bodies are key-vault-service's fixed texts, never key material); anything else is 503.
     */
    public tools.jackson.databind.JsonNode keys(
            org.springframework.http.HttpMethod method, String path, Object body, String actor, String role) {
        try {
            RestClient.RequestBodySpec request = http.method(method)
                    .uri(path)
                    .header("X-Symbolon-Actor", actor)
                    .header("X-Symbolon-Actor-Role", role);
            if (body != null) {
                request.contentType(MediaType.APPLICATION_JSON).body(body);
            }
            return request.exchange((req, response) -> {
                int status = response.getStatusCode().value();
                byte[] bytes = response.getBody().readAllBytes();
                tools.jackson.databind.JsonNode json = bytes.length == 0 ? null : JSON.readTree(bytes);
                if (status == 404) {
                    throw ApiException.notFound("key");
                }
                if (status >= 400 && status < 500) {
                    String message = json == null
                            ? "Bad request."
                            : json.path("error").path("message").asString("Bad request.");
                    throw new ApiException(
                            HttpStatus.valueOf(status), status == 409 ? "conflict" : "invalid_request", message);
                }
                if (status >= 300) {
                    throw unavailable();
                }
                return json;
            });
        } catch (RestClientException e) {
            log.warn("key-vault-service call failed: {}", e.getClass().getSimpleName());
            throw unavailable();
        }
    }

    private static ApiException unavailable() {
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "key_vault_unavailable",
                "The key vault could not complete the operation; nothing was changed. Try again.");
    }

    private static final tools.jackson.databind.json.JsonMapper JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();

    /** What key-vault-service tells of a registered key. */
    public record ServerKeyRef(String keyId, String provider, int keyVersion, String fingerprint, Integer weight) {}

    private static void call(Runnable request) {
        try {
            request.run();
        } catch (RestClientException e) {
            // The exception names the status or I/O failure; request bodies (secrets) are never in it.
            log.warn("key-vault-service call failed: {}", e.toString());
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "key_vault_unavailable",
                    "The key vault could not complete the operation; nothing was changed. Try again.");
        }
    }
}
