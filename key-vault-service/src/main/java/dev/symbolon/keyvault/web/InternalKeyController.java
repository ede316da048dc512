package dev.symbolon.keyvault.web;

import dev.symbolon.contracts.InternalKey;
import dev.symbolon.contracts.InternalKeyPool;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.KeyLifecycleEvent.KeyKind;
import dev.symbolon.contracts.Secret;
import dev.symbolon.keyvault.keys.Actor;
import dev.symbolon.keyvault.keys.ProviderKeys;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Provider keys over the internal, service-authenticated API (service-support's {@code ServiceTokenFilter}): what the
 * edge asks on a cache miss, and what admin-api and the edge's key routes call to manage keys. The
 * caller names the person behind a change in {@code X-Symbolon-Actor} / {@code -Actor-Role} for the
 * audit log.
 */
@RestController
class InternalKeyController {

    private final ProviderKeys keys;

    InternalKeyController(ProviderKeys keys) {
        this.keys = keys;
    }

    // --- for the edge ---

    /**
     * The server-key pool a tenant's requests use for a provider: the keys scoped to it, else the
     * shared ones, each with its weight.
     */
    @GetMapping("/internal/v1/server-key-pools/{provider}")
    InternalKeyPool serverKeyPool(@PathVariable String provider, @RequestParam(required = false) String tenantId) {
        return pool(provider, keys.serveServerPool(provider, tenantId), "no server key for provider");
    }

    /**
     * A tenant's managed keys for a provider, each with its weight: what its requests use when its
     * policy is {@code byokOnly} and they name no key. An empty pool is 404.
     */
    @GetMapping("/internal/v1/tenants/{tenantId}/key-pools/{provider}")
    InternalKeyPool tenantKeyPool(@PathVariable String tenantId, @PathVariable String provider) {
        return pool(provider, keys.serveTenantPool(tenantId, provider), "no managed key of this tenant for provider");
    }

    /** The wire shape of a pool; an empty one is 404 with this reason. */
    private static InternalKeyPool pool(String provider, List<ProviderKeys.Served> served, String none) {
        if (served.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, none);
        }
        return new InternalKeyPool(
                provider, served.stream().map(InternalKeyController::answer).toList());
    }

    /** The heaviest key of that pool alone: what edges of the release before pools ask. */
    @GetMapping("/internal/v1/server-keys/{provider}")
    InternalKey serverKey(@PathVariable String provider, @RequestParam(required = false) String tenantId) {
        return serverKeyPool(provider, tenantId).keys().get(0);
    }

    /** A key by id with the material of every version that works now (split: sealed server parts). */
    @GetMapping("/internal/v1/keys/{keyId}")
    InternalKey key(@PathVariable String keyId) {
        return keys.serve(keyId).map(InternalKeyController::answer).orElseThrow(() -> new ProviderKeysUnknown(keyId));
    }

    // --- operator (admin-api, security officers) ---

    /** Registers (or rotates) a provider's server key, shared or scoped to one tenant. */
    @PostMapping("/internal/v1/server-keys")
    ProviderKeys.Described register(@RequestBody NewServerKey request, ServerHttpRequest http) {
        if (request == null || request.apiKey() == null) {
            throw new IllegalArgumentException("provider and apiKey are required");
        }
        return keys.registerServerKey(
                request.provider(),
                Secret.of(request.apiKey()),
                request.label(),
                request.scopeTenantId(),
                request.weight(),
                actor(http));
    }

    /** Sets a server or managed key's share of its pool's requests (operator). */
    @PatchMapping("/internal/v1/keys/{keyId}")
    ProviderKeys.Described reweighAny(@PathVariable String keyId, @RequestBody Weight request, ServerHttpRequest http) {
        return keys.reweigh(keyId, null, Weight.of(request), actor(http));
    }

    @GetMapping("/internal/v1/server-keys")
    List<ProviderKeys.Described> list() {
        return keys.list(KeyLifecycleEvent.PLATFORM_TENANT);
    }

    @DeleteMapping("/internal/v1/server-keys/by-id/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revokeServerKey(@PathVariable String keyId, ServerHttpRequest http) {
        if (!keys.revoke(keyId, KeyLifecycleEvent.PLATFORM_TENANT, actor(http))) {
            throw new ProviderKeysUnknown(keyId);
        }
    }

    /** Rotates any key (server or tenant) to a new version; the old one works until its grace ends. */
    @PostMapping("/internal/v1/keys/{keyId}/rotate")
    Answer rotateAny(@PathVariable String keyId, @RequestBody NewValue request, ServerHttpRequest http) {
        return Answer.of(keys.rotate(keyId, null, value(request), actor(http)));
    }

    // --- a tenant's own keys (admin-api for tenant admins, the edge's /byok and /api/split-key routes) ---

    @PostMapping("/internal/v1/tenants/{tenantId}/keys")
    @ResponseStatus(HttpStatus.CREATED)
    Answer create(@PathVariable String tenantId, @RequestBody NewTenantKey request, ServerHttpRequest http) {
        if (request == null || request.apiKey() == null) {
            throw new IllegalArgumentException("provider and apiKey are required");
        }
        KeyKind kind =
                switch (request.kind() == null ? "split" : request.kind()) {
                    case "split" -> KeyKind.SPLIT;
                    case "managed" -> KeyKind.MANAGED;
                    default -> throw new IllegalArgumentException("kind is split or managed");
                };
        return Answer.of(keys.createTenantKey(
                tenantId, request.provider(), kind, Secret.of(request.apiKey()), request.label(), actor(http)));
    }

    @GetMapping("/internal/v1/tenants/{tenantId}/keys")
    List<ProviderKeys.Described> tenantKeys(@PathVariable String tenantId) {
        return keys.list(tenantId);
    }

    @GetMapping("/internal/v1/tenants/{tenantId}/keys/{keyId}")
    ProviderKeys.Described tenantKey(@PathVariable String tenantId, @PathVariable String keyId) {
        return keys.find(keyId, tenantId).orElseThrow(() -> new ProviderKeysUnknown(keyId));
    }

    @PostMapping("/internal/v1/tenants/{tenantId}/keys/{keyId}/rotate")
    Answer rotate(
            @PathVariable String tenantId,
            @PathVariable String keyId,
            @RequestBody NewValue request,
            ServerHttpRequest http) {
        return Answer.of(keys.rotate(keyId, tenantId, value(request), actor(http)));
    }

    /** Sets one of the tenant's managed keys' share of its pool's requests. */
    @PatchMapping("/internal/v1/tenants/{tenantId}/keys/{keyId}")
    ProviderKeys.Described reweigh(
            @PathVariable String tenantId,
            @PathVariable String keyId,
            @RequestBody Weight request,
            ServerHttpRequest http) {
        return keys.reweigh(keyId, tenantId, Weight.of(request), actor(http));
    }

    @DeleteMapping("/internal/v1/tenants/{tenantId}/keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String tenantId, @PathVariable String keyId, ServerHttpRequest http) {
        if (!keys.revoke(keyId, tenantId, actor(http))) {
            throw new ProviderKeysUnknown(keyId);
        }
    }

    private static Secret value(NewValue request) {
        if (request == null || request.apiKey() == null) {
            throw new IllegalArgumentException("apiKey is required");
        }
        return Secret.of(request.apiKey());
    }

    static Actor actor(ServerHttpRequest http) {
        String forwarded = http.getHeaders().getFirst("X-Forwarded-For");
        return new Actor(
                http.getHeaders().getFirst("X-Symbolon-Actor"),
                http.getHeaders().getFirst("X-Symbolon-Actor-Role"),
                forwarded == null ? null : forwarded.split(",")[0].strip(),
                http.getHeaders().getFirst("x-request-id"));
    }

    /** 404 for a key that is not there, not active, or not the caller's tenant's: the same answer. */
    static final class ProviderKeysUnknown extends ResponseStatusException {
        ProviderKeysUnknown(String keyId) {
            super(HttpStatus.NOT_FOUND, "No such active key.");
        }
    }

    /** @param weight the key's share of its pool's requests, 1 to 100; null keeps it (1 for a new key) */
    record NewServerKey(String provider, String apiKey, String label, String scopeTenantId, Integer weight) {
        @Override
        public String toString() {
            return "NewServerKey[" + provider + "]";
        }
    }

    record NewTenantKey(String provider, String apiKey, String label, String kind) {
        @Override
        public String toString() {
            return "NewTenantKey[" + provider + "]";
        }
    }

    record Weight(Integer weight) {
        static int of(Weight request) {
            if (request == null || request.weight() == null) {
                throw new IllegalArgumentException("weight is required");
            }
            return request.weight();
        }
    }

    record NewValue(String apiKey) {
        @Override
        public String toString() {
            return "NewValue[redacted]";
        }
    }

    /** A created or rotated key; {@code clientPart} (split keys) is shown here once and kept nowhere. */
    record Answer(ProviderKeys.Described key, String clientPart) {
        static Answer of(ProviderKeys.Created created) {
            return new Answer(created.key(), created.clientPart());
        }

        @Override
        public String toString() {
            return "Answer[" + key.keyId() + "]";
        }
    }

    /**
     * Wire shape the edge reads, the only place key material leaves this service. {@code apiKey} is
     * the current version's key (server, managed); {@code versions} carries, for split keys, each live
     * version's sealed server part ({@code sealed}, base64) and grace end.
     */
    private static InternalKey answer(ProviderKeys.Served served) {
        boolean split = served.kind() == KeyKind.SPLIT;
        return new InternalKey(
                served.keyId(),
                served.tenantId(),
                served.provider(),
                served.kind().name().toLowerCase(),
                served.keyVersion(),
                split ? null : served.versions().get(0).material().reveal(),
                split
                        ? served.versions().stream()
                                .map(v -> new InternalKey.Version(
                                        v.version(), v.material().reveal(), v.graceUntil()))
                                .toList()
                        : List.of(),
                served.weight());
    }
}
