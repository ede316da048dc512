package dev.symbolon.keyvault.web;

import dev.symbolon.contracts.Secret;
import dev.symbolon.keyvault.serverkeys.ServerKeys;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** What the edge asks on a cache miss. Service-authenticated ({@link ServiceTokenFilter}). */
@RestController
class InternalKeyController {

    private final ServerKeys serverKeys;

    InternalKeyController(ServerKeys serverKeys) {
        this.serverKeys = serverKeys;
    }

    @GetMapping("/internal/v1/server-keys/{provider}")
    KeyResponse serverKey(@PathVariable String provider) {
        return serverKeys
                .current(provider)
                .map(key -> new KeyResponse(
                        key.keyId(),
                        key.provider(),
                        key.kind().name().toLowerCase(),
                        key.keyVersion(),
                        key.apiKey().reveal()))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no server key for provider"));
    }

    /** Registers (or rotates) a provider's server key; admin-api calls this for security officers. */
    @PostMapping("/internal/v1/server-keys")
    ServerKeys.Registered register(@RequestBody NewServerKey request) {
        if (request == null
                || request.provider() == null
                || request.apiKey() == null
                || request.apiKey().isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "provider and apiKey are required");
        }
        return serverKeys.registerAndDescribe(request.provider(), Secret.of(request.apiKey()), request.label());
    }

    @GetMapping("/internal/v1/server-keys")
    java.util.List<ServerKeys.Registered> list() {
        return serverKeys.list();
    }

    @DeleteMapping("/internal/v1/server-keys/by-id/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String keyId) {
        if (!serverKeys.revoke(keyId)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no active server key " + keyId);
        }
    }

    /** A registration request; never printed with its key. */
    record NewServerKey(String provider, String apiKey, String label) {
        @Override
        public String toString() {
            return "NewServerKey[" + provider + "]";
        }
    }

    /** Wire shape the edge reads; the only place key material leaves this service. */
    record KeyResponse(String keyId, String provider, String kind, int keyVersion, String apiKey) {
        @Override
        public String toString() {
            return "KeyResponse[" + keyId + "]";
        }
    }
}
