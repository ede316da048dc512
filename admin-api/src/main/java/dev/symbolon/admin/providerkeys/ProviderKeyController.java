package dev.symbolon.admin.providerkeys;

import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.contracts.Secret;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/provider-keys}: the operator's server keys (references; material in key-vault). */
@RestController
class ProviderKeyController {

    private final ProviderKeys keys;

    ProviderKeyController(ProviderKeys keys) {
        this.keys = keys;
    }

    @PostMapping("/admin/provider-keys")
    @ResponseStatus(HttpStatus.CREATED)
    ProviderKeys.KeyRef register(AdminPrincipal principal, @Valid @RequestBody NewProviderKey request) {
        return keys.register(
                principal,
                request.provider(),
                Secret.of(request.apiKey()),
                request.label(),
                request.scopeTenantId(),
                request.weight());
    }

    /** A server key's share of its pool's requests. */
    @PatchMapping("/admin/provider-keys/{keyId}")
    ProviderKeys.KeyRef reweigh(
            AdminPrincipal principal, @PathVariable String keyId, @Valid @RequestBody NewWeight request) {
        return keys.reweigh(principal, keyId, request.weight());
    }

    /** A new version of a server key; the old one works until the rotation grace ends. */
    @PostMapping("/admin/provider-keys/{keyId}/rotate")
    ProviderKeys.KeyRef rotate(
            AdminPrincipal principal, @PathVariable String keyId, @Valid @RequestBody NewValue request) {
        return keys.rotate(principal, keyId, Secret.of(request.apiKey()));
    }

    @GetMapping("/admin/provider-keys")
    List<ProviderKeys.KeyRef> list(AdminPrincipal principal) {
        return keys.list(principal);
    }

    @DeleteMapping("/admin/provider-keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(AdminPrincipal principal, @PathVariable String keyId) {
        keys.revoke(principal, keyId);
    }

    /**
     * The request; never printed with its key. A new {@code label} adds a key to the provider's pool, a
     * label the pool holds rotates that key; {@code weight} is its share of the pool's requests.
     */
    record NewProviderKey(
            @NotBlank String provider,
            @NotBlank @Size(max = 500) String apiKey,
            @Size(max = 200) String label,
            String scopeTenantId,
            @Min(1) @Max(100) Integer weight) {
        @Override
        public String toString() {
            return "NewProviderKey[" + provider + "]";
        }
    }

    record NewWeight(@NotNull @Min(1) @Max(100) Integer weight) {}

    /** A new value for a key; never printed. */
    record NewValue(@NotBlank @Size(max = 4096) String apiKey) {
        @Override
        public String toString() {
            return "NewValue[redacted]";
        }
    }
}
