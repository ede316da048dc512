package dev.symbolon.webhooks.signing;

import dev.symbolon.webhooks.DispatcherProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Endpoints' signing secrets, read from key-vault-service for every attempt (every stored version,
 * newest first: during a rotation both sign). admin-api stores a rotated secret in key-vault before
 * the rotation answers, so from that moment every delivery carries both signatures; a cache here would
 * sign with the old one alone until it expired. One internal call per attempt, next to the attempt's
 * own call to the tenant. Never logged, never stored here.
 */
@Component
public class Secrets {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DispatcherProperties.KeyVault keyVault;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    Secrets(DispatcherProperties properties) {
        this.keyVault = properties.keyVault();
    }

    /**
     * The endpoint's secrets now, newest first; empty when it has none or key-vault cannot say (the
     * attempt then fails and is retried on the schedule, never signed with what may be stale).
     */
    public List<String> of(String tenantId, String endpointId) {
        return fetch(tenantId, endpointId);
    }

    private List<String> fetch(String tenantId, String endpointId) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    keyVault.baseUrl() + "/internal/v1/webhook-secrets/" + tenantId + "/" + endpointId))
                            .header(
                                    "Authorization",
                                    "Bearer " + keyVault.serviceToken().reveal())
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return List.of();
            }
            List<String> secrets = new ArrayList<>();
            for (JsonNode version : JSON.readTree(response.body()).path("secrets")) {
                secrets.add(version.path("secret").asString());
            }
            return List.copyOf(secrets);
        } catch (java.io.IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
