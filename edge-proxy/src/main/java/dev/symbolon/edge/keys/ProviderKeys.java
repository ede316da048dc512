package dev.symbolon.edge.keys;

import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.SplitKey;
import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.call.KeyRequest;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.routing.KeyPool;
import dev.symbolon.edge.routing.ProviderKey;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Provider keys for the request path, served from memory. A miss asks key-vault-service once, however
 * many requests wait for it; a failure or an unknown id is not cached, so the next request asks again.
 * Cached keys keep being served while key-vault-service (or Vault behind it) is down, until their TTL
 * ends; there is never a fallback to another key.
 *
 * <p>Which key a request uses: a split key when it sends {@code X-Partial-Key-Id} or
 * {@code X-Partial-Key} (both are then required), a managed key when it sends {@code X-Symbolon-Key-Id},
 * else the provider's server key for the caller's tenant. A tenant key must belong to the caller's tenant (else 401, the
 * same answer as an unknown id or a wrong client part) and to the route's provider (else 403).
 * Refused split-key attempts are limited per key id and per tenant ({@link SplitKeyFailures}: 429
 * with {@code retry-after}), and reported through {@code audit.v1} when a limit trips.
 */
@Component
public class ProviderKeys implements MeterBinder {

    public static final String PARTIAL_KEY_ID = "X-Partial-Key-Id";
    public static final String PARTIAL_KEY = "X-Partial-Key";
    public static final String KEY_ID = "X-Symbolon-Key-Id";

    private static final Set<String> BYOK_HEADERS = Set.of("x-partial-key-id", "x-partial-key", "x-symbolon-key-id");

    /**
     * The least time a split-key refusal takes: above a key-vault round trip on a cache miss (a few
     * milliseconds locally, tens across a network), so a refusal's timing does not say whether the
     * key id exists.
     */
    static final Duration REFUSAL_FLOOR = Duration.ofMillis(60);

    private static final String INVALID_PARTIAL_KEY = "invalid_partial_key";

    /** Opened on failure paths so that a refusal costs what a real attempt costs. */
    private static final byte[] DECOY = SplitKey.seal(SplitKey.newClientPart(), new byte[48], new byte[0]);

    private final KeyVaultClient keyVault;
    private final SplitKeyFailures failures;
    private final SplitKeyAlerts alerts;
    private final Duration ttl;
    /** Server-key pools by provider, then by tenant (a tenant may have keys of its own). */
    private final Map<String, Map<String, Mono<KeyPool>>> serverKeys = new ConcurrentHashMap<>();

    private final Map<String, Mono<Optional<TenantKey>>> tenantKeys = new ConcurrentHashMap<>();

    /** Tenants' own managed-key pools by tenant, then by provider ({@code byokOnly} policies). */
    private final Map<String, Map<String, Mono<KeyPool>>> ownPools = new ConcurrentHashMap<>();

    private final LongAdder lookups = new LongAdder();

    ProviderKeys(KeyVaultClient keyVault, SplitKeyAlerts alerts, EdgeProperties properties) {
        this.keyVault = keyVault;
        this.alerts = alerts;
        this.failures = new SplitKeyFailures(properties.splitKeyFailures(), System::nanoTime);
        this.ttl = properties.keyVault().cacheTtl();
    }

    /**
     * The kind of key a request's headers ask for. Any split-key header means a split key (a missing
     * or extra one is then refused, never served with another key); two kinds at once, a header given
     * twice, or a look-alike spelling ({@code x_partial_key}) are refused with 400.
     */
    public static KeyRequest requested(HttpHeaders headers) {
        int split = 0;
        boolean managed = false;
        for (String name : headers.headerNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            String normalized = lower.replace('_', '-');
            if (!BYOK_HEADERS.contains(normalized)) {
                continue;
            }
            if (!normalized.equals(lower)) {
                throw ambiguousKeyHeaders("Key headers are spelled with '-': " + name + " is not accepted.");
            }
            if (headers.get(name).size() > 1) {
                throw ambiguousKeyHeaders(name + " is given more than once.");
            }
            if (lower.equals("x-symbolon-key-id")) {
                managed = true;
            } else {
                split++;
            }
        }
        if (managed && split > 0) {
            throw ambiguousKeyHeaders("Send X-Symbolon-Key-Id or X-Partial-Key-Id and X-Partial-Key, not both.");
        }
        return split > 0 ? KeyRequest.SPLIT : managed ? KeyRequest.MANAGED : KeyRequest.SERVER;
    }

    /**
     * The key cache's meters, as Micrometer's cache binders name them: {@code cache.gets} by {@code
     * result} ({@code hit}: served without calling key-vault-service; {@code miss}: a call was made).
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("cache.gets", this, keys -> keys.lookups.sum() - keys.keyVault.fetchCount())
                .description("Provider key look-ups answered from the cache")
                .tags("cache", "provider-keys", "result", "hit")
                .register(registry);
        FunctionCounter.builder("cache.gets", keyVault, KeyVaultClient::fetchCount)
                .description("Provider key look-ups that called key-vault-service")
                .tags("cache", "provider-keys", "result", "miss")
                .register(registry);
    }

    /**
     * The keys one request may be served with: the split or managed key its headers name (a pool of
     * one), the tenant's managed keys for the provider (its policy is {@code byokOnly}), or the
     * provider's server-key pool as the caller's tenant sees it.
     */
    public Mono<KeyPool> forRequest(String provider, AppIdentity app, KeyRequest requested, ProxyCall.Request request) {
        lookups.increment();
        HttpHeaders headers = request.headers();
        return switch (requested) {
            case SPLIT ->
                splitKey(provider, app, request, headers.getFirst(PARTIAL_KEY_ID), headers.getFirst(PARTIAL_KEY))
                        .map(KeyPool::single);
            case MANAGED ->
                managedKey(provider, app.tenantId(), headers.getFirst(KEY_ID)).map(KeyPool::single);
            case OWN_POOL -> ownPool(app.tenantId(), provider);
            case SERVER -> serverKeys(provider, app.tenantId());
        };
    }

    private static GatewayException ambiguousKeyHeaders(String message) {
        return new GatewayException(HttpStatus.BAD_REQUEST, "invalid_key_headers", message);
    }

    /** The operator's server-key pool for a provider, as the tenant sees it (its scoped keys, else the shared ones). */
    public Mono<KeyPool> serverKeys(String provider, String tenantId) {
        Map<String, Mono<KeyPool>> byTenant = serverKeys.get(provider);
        Mono<KeyPool> held = byTenant == null ? null : byTenant.get(tenantId);
        if (held != null) {
            return held; // the request path: two lookups, nothing allocated
        }
        return serverKeys
                .computeIfAbsent(provider, p -> new ConcurrentHashMap<>())
                .computeIfAbsent(tenantId, t -> keyVault.serverKeys(provider, tenantId)
                        .cache(key -> ttl, error -> Duration.ZERO, () -> Duration.ZERO));
    }

    /** The tenant's managed keys for a provider, as a weighted pool (a {@code byokOnly} policy). */
    private Mono<KeyPool> ownPool(String tenantId, String provider) {
        Map<String, Mono<KeyPool>> byProvider = ownPools.get(tenantId);
        Mono<KeyPool> held = byProvider == null ? null : byProvider.get(provider);
        if (held != null) {
            return held;
        }
        return ownPools.computeIfAbsent(tenantId, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(provider, p -> keyVault.tenantPool(tenantId, provider)
                        .cache(pool -> ttl, error -> Duration.ZERO, () -> Duration.ZERO));
    }

    /**
     * A split key opened with the client part, or the one refusal ({@code invalid_partial_key}) for a
     * wrong part, an unknown id and another tenant's key alike, answered no sooner than
     * {@link #REFUSAL_FLOOR} after the request asked: an unknown id costs a key-vault round trip that a
     * cached one does not, and the floor hides which it was. While the key id or the tenant has had too
     * many refusals, every attempt is refused with 429 before anything is opened.
     */
    private Mono<ProviderKey> splitKey(
            String provider, AppIdentity app, ProxyCall.Request request, String keyId, String clientPartHeader) {
        String tenantId = app.tenantId();
        SplitKeyFailures.Locked locked = failures.check(tenantId, keyId);
        if (locked != null) {
            return Mono.error(limited(locked)); // no key-vault call for a locked key id
        }
        long asked = System.nanoTime();
        return tenantKey(keyId)
                .map(found -> {
                    SplitKeyFailures.Admission admission = failures.attempt(tenantId, keyId);
                    if (admission instanceof SplitKeyFailures.Locked lockedNow) {
                        throw limited(lockedNow);
                    }
                    SplitKeyFailures.Attempt tried = (SplitKeyFailures.Attempt) admission;
                    try {
                        ProviderKey key = openSplitKey(found, provider, tenantId, keyId, clientPartHeader);
                        tried.succeeded();
                        return key;
                    } catch (GatewayException e) {
                        if (!INVALID_PARTIAL_KEY.equals(e.type())) {
                            tried.succeeded(); // the tenant's own key, of another provider: not a guess
                            throw e;
                        }
                        SplitKeyFailures.Tripped tripped = tried.failed();
                        if (tripped != null) {
                            alerts.tripped(tripped, app, request);
                        }
                        throw e;
                    }
                })
                .onErrorResume(GatewayException.class, e -> {
                    if (!INVALID_PARTIAL_KEY.equals(e.type())) {
                        return Mono.error(e);
                    }
                    long remaining = REFUSAL_FLOOR.toNanos() - (System.nanoTime() - asked);
                    return remaining <= 0
                            ? Mono.error(e)
                            : Mono.delay(Duration.ofNanos(remaining)).then(Mono.error(e));
                });
    }

    private static GatewayException limited(SplitKeyFailures.Locked locked) {
        return GatewayException.limited(
                locked.scope().limitName(), Math.max(1, (locked.retryAfter().toMillis() + 999) / 1000));
    }

    private static ProviderKey openSplitKey(
            Optional<TenantKey> found, String provider, String tenantId, String keyId, String clientPartHeader) {
        byte[] clientPart = SplitKey.decodeClientPart(clientPartHeader).orElse(null);
        try {
            TenantKey key = found.filter(k -> k.tenantId().equals(tenantId) && k.split())
                    .orElse(null);
            if (key == null || clientPart == null) {
                decoy(clientPart);
                throw invalidPartialKey();
            }
            if (!key.provider().equals(provider)) {
                throw providerMismatch();
            }
            Instant now = Instant.now();
            for (TenantKey.Sealed version : key.versions()) {
                if (!version.usableAt(now)) {
                    continue;
                }
                Optional<byte[]> opened = SplitKey.open(
                        clientPart, version.sealed(), SplitKey.aad(tenantId, keyId, version.version(), provider));
                if (opened.isPresent()) {
                    byte[] plain = opened.get();
                    try {
                        return new ProviderKey(
                                keyId,
                                provider,
                                "split",
                                version.version(),
                                Secret.of(new String(plain, StandardCharsets.UTF_8)),
                                tenantId);
                    } finally {
                        Arrays.fill(plain, (byte) 0);
                    }
                }
            }
            throw invalidPartialKey();
        } finally {
            if (clientPart != null) {
                Arrays.fill(clientPart, (byte) 0);
            }
        }
    }

    /** One managed key of the tenant for a provider, as a pool of one (a fallback target naming it). */
    public Mono<KeyPool> managed(String provider, String tenantId, String keyId) {
        return managedKey(provider, tenantId, keyId).map(KeyPool::single);
    }

    private Mono<ProviderKey> managedKey(String provider, String tenantId, String keyId) {
        return tenantKey(keyId).map(found -> {
            TenantKey key = found.filter(k -> k.tenantId().equals(tenantId) && !k.split() && k.apiKey() != null)
                    .orElseThrow(() -> new GatewayException(
                            HttpStatus.UNAUTHORIZED, "invalid_key", "The key id is not valid for this app."));
            if (!key.provider().equals(provider)) {
                throw providerMismatch();
            }
            return new ProviderKey(keyId, provider, key.kind(), key.keyVersion(), key.apiKey(), tenantId);
        });
    }

    private Mono<Optional<TenantKey>> tenantKey(String keyId) {
        if (keyId == null || keyId.length() > 64 || !keyId.startsWith("key_")) {
            return Mono.just(Optional.empty());
        }
        Mono<Optional<TenantKey>> cached = tenantKeys.computeIfAbsent(keyId, id -> keyVault.tenantKey(id)
                .cache(key -> key.isPresent() ? ttl : Duration.ZERO, error -> Duration.ZERO, () -> Duration.ZERO));
        return cached.doOnNext(key -> {
            if (key.isEmpty()) {
                tenantKeys.remove(keyId, cached); // unknown ids are not remembered
            }
        });
    }

    /** Drops a cached tenant key, e.g. when {@code key-lifecycle.v1} says it was rotated or revoked. */
    public void evictKey(String keyId) {
        tenantKeys.remove(keyId);
    }

    /** Drops a tenant's cached managed-key pool of a provider (one of its keys changed). */
    public void evictOwnPool(String tenantId, String provider) {
        Map<String, Mono<KeyPool>> byProvider = ownPools.get(tenantId);
        if (byProvider != null) {
            byProvider.remove(provider);
        }
    }

    /** Drops every cached server key of a provider (all tenants' views of it). */
    public void evictServerKeys(String provider) {
        serverKeys.remove(provider);
    }

    private static void decoy(byte[] clientPart) {
        SplitKey.open(clientPart != null ? clientPart : new byte[SplitKey.CLIENT_PART_BYTES], DECOY, new byte[1]);
    }

    private static GatewayException invalidPartialKey() {
        return new GatewayException(HttpStatus.UNAUTHORIZED, INVALID_PARTIAL_KEY, "The partial key is not valid.");
    }

    private static GatewayException providerMismatch() {
        return new GatewayException(
                HttpStatus.FORBIDDEN, "key_provider_mismatch", "This key belongs to another provider.");
    }
}
