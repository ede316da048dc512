package dev.symbolon.keyvault.web;

import dev.symbolon.keyvault.keys.KeyMaintenance;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The wrapping key (Vault Transit) for operators: rotate it, re-wrap, see how far a re-wrap got. */
@RestController
class WrappingKeyController {

    private final KeyMaintenance maintenance;

    WrappingKeyController(KeyMaintenance maintenance) {
        this.maintenance = maintenance;
    }

    @GetMapping("/internal/v1/wrapping-key")
    KeyMaintenance.Status status() {
        return maintenance.status();
    }

    /** Rotates it and starts re-wrapping every stored key under the new version (202: in the background). */
    @PostMapping("/internal/v1/wrapping-key/rotate")
    @ResponseStatus(HttpStatus.ACCEPTED)
    KeyMaintenance.Status rotate(ServerHttpRequest http) {
        return maintenance.rotateWrappingKey(InternalKeyController.actor(http));
    }

    /** Re-wraps whatever an interrupted run left behind. */
    @PostMapping("/internal/v1/wrapping-key/rewrap")
    @ResponseStatus(HttpStatus.ACCEPTED)
    KeyMaintenance.Status rewrap(ServerHttpRequest http) {
        return maintenance.rewrapInBackground(InternalKeyController.actor(http));
    }
}
