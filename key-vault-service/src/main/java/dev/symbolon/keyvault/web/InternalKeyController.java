package dev.symbolon.keyvault.web;

import dev.symbolon.keyvault.serverkeys.ServerKeys;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
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

    /** Wire shape the edge reads; the only place key material leaves this service. */
    record KeyResponse(String keyId, String provider, String kind, int keyVersion, String apiKey) {
        @Override
        public String toString() {
            return "KeyResponse[" + keyId + "]";
        }
    }
}
