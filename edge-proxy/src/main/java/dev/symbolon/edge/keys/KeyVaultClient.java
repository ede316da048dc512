package dev.symbolon.edge.keys;

import dev.symbolon.contracts.InternalKey;
import dev.symbolon.contracts.InternalKeyPool;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.Secret;
import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.routing.KeyPool;
import dev.symbolon.edge.routing.ProviderKey;
import dev.symbolon.support.traces.Traces;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;

/**
 * The edge's only line to key-vault-service: its internal, service-authenticated endpoints, called on
 * cache misses only. Each call is timed as {@code symbolon.edge.key.fetches} by call ({@code
 * server_key}, {@code tenant_key}) and outcome ({@code ok}, {@code error}); their count is the key
 * cache's misses.
 */
@Component
class KeyVaultClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final WebClient http;
    private final Timer serverKeyOk;
    private final Timer serverKeyError;
    private final Timer tenantKeyOk;
    private final Timer tenantKeyError;

    KeyVaultClient(EdgeProperties properties, WebClient.Builder builder, MeterRegistry registry) {
        this.serverKeyOk = fetches(registry, "server_key", "ok");
        this.serverKeyError = fetches(registry, "server_key", "error");
        this.tenantKeyOk = fetches(registry, "tenant_key", "ok");
        this.tenantKeyError = fetches(registry, "tenant_key", "error");
        EdgeProperties.KeyVault keyVault = properties.keyVault();
        this.http = builder.clone()
                .baseUrl(keyVault.baseUrl().toString())
                .defaultHeaders(h -> h.setBearerAuth(keyVault.serviceToken().reveal()))
                .build();
    }

    private static Timer fetches(MeterRegistry registry, String call, String outcome) {
        return Timer.builder("symbolon.edge.key.fetches")
                .description("Calls to key-vault-service (key cache misses), by call and outcome")
                .tag("call", call)
                .tag("outcome", outcome)
                .serviceLevelObjectives(
                        Duration.ofMillis(1),
                        Duration.ofMillis(5),
                        Duration.ofMillis(10),
                        Duration.ofMillis(25),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        Duration.ofMillis(250),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5))
                .register(registry);
    }

    /** Key-vault calls made so far: the key cache's misses. */
    long fetchCount() {
        return serverKeyOk.count() + serverKeyError.count() + tenantKeyOk.count() + tenantKeyError.count();
    }

    private static <T> Mono<T> timed(Timer ok, Timer error, Mono<T> call) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return call.doOnSuccess(value -> ok.record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
                    .doOnError(e -> error.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        });
    }

    /** The service-authenticated client to key-vault-service, shared with {@link TenantKeysApi}. */
    WebClient http() {
        return http;
    }

    /** The server-key pool a tenant's requests use for a provider (its scoped keys, else the shared ones). */
    Mono<KeyPool> serverKeys(String provider, String tenantId) {
        return pool(
                serverKeyOk,
                serverKeyError,
                u -> u.path("/internal/v1/server-key-pools/{provider}")
                        .queryParam("tenantId", tenantId)
                        .build(provider),
                () -> notConfigured(provider));
    }

    /** A tenant's managed keys for a provider, as a pool (its policy is {@code byokOnly}). */
    Mono<KeyPool> tenantPool(String tenantId, String provider) {
        return pool(
                tenantKeyOk,
                tenantKeyError,
                u -> u.path("/internal/v1/tenants/{tenantId}/key-pools/{provider}")
                        .build(tenantId, provider),
                () -> new GatewayException(
                        HttpStatus.FORBIDDEN,
                        "byok_required",
                        "This tenant's policy requires its own key, and it holds no managed key for provider '"
                                + provider + "'."));
    }

    /** A pool from key-vault-service; {@code none} when it has no key (404 or an empty pool). */
    private Mono<KeyPool> pool(
            Timer ok,
            Timer error,
            java.util.function.Function<org.springframework.web.util.UriBuilder, java.net.URI> uri,
            java.util.function.Supplier<GatewayException> none) {
        return timed(ok, error, Mono.deferContextual(trace -> http.get()
                .uri(uri)
                .headers(h -> Traces.inject(Traces.traceparent(trace), h))
                .retrieve()
                .onStatus(HttpStatusCode::is4xxClientError, response -> response.releaseBody()
                        .then(Mono.error(response.statusCode().value() == 404 ? none.get() : keyServiceFailure())))
                .onStatus(HttpStatusCode::is5xxServerError, response -> response.releaseBody()
                        .then(Mono.error(keyServiceFailure())))
                .bodyToMono(InternalKeyPool.class)
                .timeout(TIMEOUT, Mono.error(keyServiceFailure()))
                .onErrorMap(WebClientRequestException.class, e -> keyServiceFailure())
                .map(pool -> {
                    if (pool.keys().isEmpty()) {
                        throw none.get();
                    }
                    return KeyPool.of(
                            pool.keys().stream()
                                    .map(r -> new ProviderKey(
                                            r.keyId(),
                                            r.provider(),
                                            r.kind(),
                                            r.keyVersion(),
                                            Secret.of(r.apiKey()),
                                            r.tenantId() != null ? r.tenantId() : KeyLifecycleEvent.PLATFORM_TENANT))
                                    .toList(),
                            pool.keys().stream()
                                    .map(r -> Math.min(100, r.weight()))
                                    .toList());
                })));
    }

    private static GatewayException notConfigured(String provider) {
        return new GatewayException(
                HttpStatus.FORBIDDEN,
                "provider_not_configured",
                "No key is configured for provider '" + provider + "'.");
    }

    /** A tenant key by id; empty when key-vault-service knows no active key of that id. */
    Mono<Optional<TenantKey>> tenantKey(String keyId) {
        return timed(tenantKeyOk, tenantKeyError, Mono.deferContextual(trace -> http.get()
                .uri("/internal/v1/keys/{keyId}", keyId)
                .headers(h -> Traces.inject(Traces.traceparent(trace), h))
                .exchangeToMono(response -> {
                    if (response.statusCode().value() == 404) {
                        return response.releaseBody().thenReturn(Optional.<TenantKey>empty());
                    }
                    if (!response.statusCode().is2xxSuccessful()) {
                        return response.releaseBody().then(Mono.error(keyServiceFailure()));
                    }
                    return response.bodyToMono(InternalKey.class).map(key -> Optional.of(toTenantKey(key)));
                })
                .timeout(TIMEOUT, Mono.error(keyServiceFailure()))
                .onErrorMap(WebClientRequestException.class, e -> keyServiceFailure())));
    }

    static GatewayException keyServiceFailure() {
        return new GatewayException(
                HttpStatus.SERVICE_UNAVAILABLE, "key_unavailable", "The provider key could not be fetched; try again.");
    }

    /** Wire shape of key-vault-service's internal key responses. */
    private static TenantKey toTenantKey(InternalKey key) {
        List<TenantKey.Sealed> sealed = key.versions() == null
                ? List.of()
                : key.versions().stream()
                        .map(v -> new TenantKey.Sealed(
                                v.version(), Base64.getDecoder().decode(v.sealed()), v.graceUntil()))
                        .toList();
        return new TenantKey(
                key.keyId(),
                key.tenantId(),
                key.provider(),
                key.kind(),
                key.keyVersion(),
                key.apiKey() == null ? null : Secret.of(key.apiKey()),
                sealed);
    }
}
