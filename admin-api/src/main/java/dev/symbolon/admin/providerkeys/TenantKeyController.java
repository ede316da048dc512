package dev.symbolon.admin.providerkeys;

import dev.symbolon.admin.auth.Access;
import dev.symbolon.admin.auth.Access.Operation;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.keyvault.KeyVaultClient;
import dev.symbolon.admin.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * A tenant's own provider keys (BYOK), kept by key-vault-service: whole ({@code managed}) or split
 * ({@code split}: the answer to create and rotate carries the client part, once; nobody keeps it).
 * Tenant admins manage their own tenant's keys only; security officers and platform admins any
 * tenant's. key-vault-service writes the audit entries (with the admin as actor), so admin-api keeps
 * nothing of these keys, not even a reference.
 *
 * <p>The wrapping key (Vault Transit) is rotated here too: every stored key is then re-wrapped in the
 * background, without any tenant's help.
 */
@RestController
class TenantKeyController {

    private static final java.util.regex.Pattern KEY_ID = java.util.regex.Pattern.compile("key_[a-z0-9]{1,60}");

    private final KeyVaultClient keyVault;

    TenantKeyController(KeyVaultClient keyVault) {
        this.keyVault = keyVault;
    }

    @GetMapping("/admin/tenants/{tenantId}/keys")
    JsonNode list(AdminPrincipal principal, @PathVariable String tenantId) {
        Access.require(principal, Operation.TENANT_KEY_READ, tenantId);
        return call(principal, HttpMethod.GET, tenantId, "", null);
    }

    @PostMapping("/admin/tenants/{tenantId}/keys")
    @ResponseStatus(HttpStatus.CREATED)
    JsonNode create(AdminPrincipal principal, @PathVariable String tenantId, @Valid @RequestBody NewKey request) {
        Access.require(principal, Operation.TENANT_KEY_MANAGE, tenantId);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("provider", request.provider());
        body.put("apiKey", request.apiKey());
        body.put("kind", request.kind() == null ? "split" : request.kind());
        if (request.label() != null) {
            body.put("label", request.label());
        }
        return call(principal, HttpMethod.POST, tenantId, "", body);
    }

    @GetMapping("/admin/tenants/{tenantId}/keys/{keyId}")
    JsonNode get(AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String keyId) {
        Access.require(principal, Operation.TENANT_KEY_READ, tenantId);
        return call(principal, HttpMethod.GET, tenantId, "/" + keyId(keyId), null);
    }

    @PostMapping("/admin/tenants/{tenantId}/keys/{keyId}/rotate")
    JsonNode rotate(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String keyId,
            @Valid @RequestBody ProviderKeyController.NewValue request) {
        Access.require(principal, Operation.TENANT_KEY_MANAGE, tenantId);
        return call(
                principal,
                HttpMethod.POST,
                tenantId,
                "/" + keyId(keyId) + "/rotate",
                Map.of("apiKey", request.apiKey()));
    }

    @DeleteMapping("/admin/tenants/{tenantId}/keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String keyId) {
        Access.require(principal, Operation.TENANT_KEY_MANAGE, tenantId);
        call(principal, HttpMethod.DELETE, tenantId, "/" + keyId(keyId), null);
    }

    @GetMapping("/admin/wrapping-key")
    JsonNode wrappingKey(AdminPrincipal principal) {
        Access.require(principal, Operation.PROVIDER_KEY_MANAGE);
        return keyVault.keys(
                HttpMethod.GET,
                "/internal/v1/wrapping-key",
                null,
                principal.subject(),
                principal.role().wireName());
    }

    /** Rotates the wrapping key and starts re-wrapping every stored key (202; see GET for progress). */
    @PostMapping("/admin/wrapping-key/rotate")
    @ResponseStatus(HttpStatus.ACCEPTED)
    JsonNode rotateWrappingKey(AdminPrincipal principal) {
        Access.require(principal, Operation.PROVIDER_KEY_MANAGE);
        return keyVault.keys(
                HttpMethod.POST,
                "/internal/v1/wrapping-key/rotate",
                null,
                principal.subject(),
                principal.role().wireName());
    }

    private JsonNode call(AdminPrincipal principal, HttpMethod method, String tenantId, String path, Object body) {
        return keyVault.keys(
                method,
                "/internal/v1/tenants/" + tenantId + "/keys" + path,
                body,
                principal.subject(),
                principal.role().wireName());
    }

    private static String keyId(String keyId) {
        if (!KEY_ID.matcher(keyId).matches()) {
            throw ApiException.notFound("key");
        }
        return keyId;
    }

    /** A new tenant key; never printed with its value. */
    record NewKey(
            @NotBlank @Size(max = 80) String provider,
            @NotBlank @Size(max = 4096) String apiKey,
            @Size(max = 200) String label,
            @Pattern(regexp = "split|managed") String kind) {
        @Override
        public String toString() {
            return "NewKey[" + provider + "]";
        }
    }
}
