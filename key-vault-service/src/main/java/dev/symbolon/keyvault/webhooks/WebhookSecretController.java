package dev.symbolon.keyvault.webhooks;

import dev.symbolon.contracts.Secret;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Internal, service-authenticated: admin-api stores webhook secrets here, the dispatcher reads them.
 * Callers name themselves in {@code X-Symbolon-Caller} for the audit log.
 */
@RestController
class WebhookSecretController {

    private final WebhookSecrets secrets;

    WebhookSecretController(WebhookSecrets secrets) {
        this.secrets = secrets;
    }

    @PutMapping("/internal/v1/webhook-secrets/{tenantId}/{endpointId}/v{version}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void store(
            @PathVariable String tenantId,
            @PathVariable String endpointId,
            @PathVariable int version,
            @RequestHeader(name = "X-Symbolon-Caller", defaultValue = "unknown") String caller,
            @RequestBody SecretBody body) {
        if (body == null || body.secret() == null) {
            throw new IllegalArgumentException("secret is required");
        }
        secrets.store(tenantId, endpointId, version, Secret.of(body.secret()), caller);
    }

    @GetMapping("/internal/v1/webhook-secrets/{tenantId}/{endpointId}")
    Versions versions(@PathVariable String tenantId, @PathVariable String endpointId) {
        return new Versions(secrets.versions(tenantId, endpointId).stream()
                .map(v -> new SecretVersion(v.version(), v.secret().reveal()))
                .toList());
    }

    @DeleteMapping("/internal/v1/webhook-secrets/{tenantId}/{endpointId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void destroyAll(
            @PathVariable String tenantId,
            @PathVariable String endpointId,
            @RequestHeader(name = "X-Symbolon-Caller", defaultValue = "unknown") String caller) {
        secrets.destroy(tenantId, endpointId, null, caller);
    }

    @DeleteMapping("/internal/v1/webhook-secrets/{tenantId}/{endpointId}/v{version}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void destroy(
            @PathVariable String tenantId,
            @PathVariable String endpointId,
            @PathVariable int version,
            @RequestHeader(name = "X-Symbolon-Caller", defaultValue = "unknown") String caller) {
        secrets.destroy(tenantId, endpointId, version, caller);
    }

    /** The request body; its toString never shows the secret. */
    record SecretBody(String secret) {
        @Override
        public String toString() {
            return "SecretBody[redacted]";
        }
    }

    record SecretVersion(int version, String secret) {
        @Override
        public String toString() {
            return "SecretVersion[" + version + "]";
        }
    }

    record Versions(List<SecretVersion> secrets) {}
}
