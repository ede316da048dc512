package dev.symbolon.webhooks.delivery;

import dev.symbolon.webhooks.DispatcherProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Endpoints' signing secrets, read from key-vault-service (every stored version, newest first: during
 * a rotation both sign) and held for a minute. Never logged, never stored here.
 */
@Component
class Secrets {

    private static final Duration TTL = Duration.ofMinutes(1);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DispatcherProperties.KeyVault keyVault;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Map<String, Held> cache = new ConcurrentHashMap<>();

    Secrets(DispatcherProperties properties) {
        this.keyVault = properties.keyVault();
    }

    /** The endpoint's secrets, newest first; empty when it has none (or key-vault cannot say). */
    List<String> of(String tenantId, String endpointId) {
        String key = tenantId + "/" + endpointId;
        Held held = cache.get(key);
        if (held != null && held.until().isAfter(Instant.now())) {
            return held.secrets();
        }
        List<String> secrets = fetch(tenantId, endpointId);
        if (!secrets.isEmpty()) {
            cache.put(key, new Held(secrets, Instant.now().plus(TTL)));
        }
        return secrets;
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

    private record Held(List<String> secrets, Instant until) {
        @Override
        public String toString() {
            return "Held[" + secrets.size() + " secrets]";
        }
    }
}
