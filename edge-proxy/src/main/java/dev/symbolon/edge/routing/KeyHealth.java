package dev.symbolon.edge.routing;

import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.provider.Dialect;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * The health of every provider key this edge has used, one {@link Breaker} per key id, fed by the
 * answers of the requests it serves: a 429 leaves the key alone until the provider's reset, failures
 * in a row for a cooldown. Per edge, in memory: another edge learns from its own requests.
 *
 * <p>Visible as {@code symbolon_edge_key_cooldowns_total{provider,reason}} (a key left alone:
 * {@code rate_limited} or {@code failing}) and {@code symbolon_edge_keys_cooling{provider}} (keys left
 * alone now); the labels are bounded by the providers, never a key id. A key that stays unhealthy
 * (its half-open probe failed too, so it is left alone a second time in a row) is reported once per
 * such episode to the listener set with {@link #whenUnhealthy}.
 */
@Component
public class KeyHealth {

    private final EdgeProperties.Routing config;
    private final MeterRegistry registry;
    private final LongSupplier nanos;
    private final Map<String, Tracked> breakers = new ConcurrentHashMap<>();
    private final Map<String, Counter> cooldowns = new ConcurrentHashMap<>();
    private final Map<String, Boolean> gauges = new ConcurrentHashMap<>();
    private volatile Consumer<Unhealthy> unhealthy = u -> {};

    /**
     * A key that stayed unhealthy: left alone a second time in a row, this time for {@code cooldown}.
     *
     * @param reason {@code rate_limited} or {@code failing}
     */
    public record Unhealthy(ProviderKey key, String reason, Duration cooldown) {}

    @Autowired
    KeyHealth(EdgeProperties properties, MeterRegistry registry) {
        this(properties.routing(), registry, System::nanoTime);
    }

    KeyHealth(EdgeProperties.Routing config, MeterRegistry registry, LongSupplier nanos) {
        this.config = config;
        this.registry = registry;
        this.nanos = nanos;
    }

    /** Who hears of a key that stays unhealthy (called on the thread that saw it: must not block). */
    public void whenUnhealthy(Consumer<Unhealthy> listener) {
        this.unhealthy = listener;
    }

    /** Whether a request may use the key now (see {@link Breaker#tryAcquire}). */
    public boolean tryAcquire(ProviderKey key) {
        Tracked tracked = breakers.get(key.keyId());
        return tracked == null || tracked.breaker.tryAcquire(nanos.getAsLong());
    }

    /** When the key's cooldown ends ({@link System#nanoTime()} scale); now for a key in use. */
    long openUntil(ProviderKey key) {
        Tracked tracked = breakers.get(key.keyId());
        long now = nanos.getAsLong();
        return tracked == null || tracked.breaker.state() == Breaker.State.CLOSED ? now : tracked.breaker.openUntil();
    }

    /** Whether this edge is leaving the key alone now (open or probing). */
    public boolean cooling(ProviderKey key) {
        Tracked tracked = breakers.get(key.keyId());
        return tracked != null && tracked.breaker.state() != Breaker.State.CLOSED;
    }

    /**
     * A provider answered a request made with the key: 429 cools it until the reset the answer names
     * (its dialect reads the headers), a 5xx counts as a failure, anything else as health.
     */
    public void answered(ProviderKey key, Dialect dialect, int status, HttpHeaders headers) {
        if (status == 429) {
            Duration reset = dialect.rateLimitReset(headers, Instant.now());
            Breaker breaker = breaker(key);
            opened(
                    key,
                    breaker,
                    Breaker.Reason.RATE_LIMITED,
                    breaker.rateLimited(nanos.getAsLong(), reset, config.rateLimitCooldown()));
        } else if (status >= 500) {
            failed(key);
        } else {
            Tracked tracked = breakers.get(key.keyId());
            if (tracked != null) {
                tracked.breaker.succeeded();
            }
        }
    }

    /** The provider did not answer a request made with the key in time. */
    public void failed(ProviderKey key) {
        Breaker breaker = breaker(key);
        opened(key, breaker, Breaker.Reason.FAILING, breaker.failed(nanos.getAsLong()));
    }

    /** Forgets a key's health: it was rotated (a new key at the provider) or revoked. */
    public void forget(String keyId) {
        breakers.remove(keyId);
    }

    private Breaker breaker(ProviderKey key) {
        return breakers.computeIfAbsent(key.keyId(), id -> {
                    watch(key.provider());
                    return new Tracked(
                            key.provider(),
                            new Breaker(config.failureThreshold(), config.cooldown(), config.maxCooldown()));
                })
                .breaker;
    }

    private void opened(ProviderKey key, Breaker breaker, Breaker.Reason reason, boolean opened) {
        if (!opened) {
            return;
        }
        if (breaker.opensInRow() == 2) {
            unhealthy.accept(new Unhealthy(key, reason.label(), breaker.lastCooldown()));
        }
        cooldowns
                .computeIfAbsent(
                        key.provider() + ' ' + reason.label(), k -> Counter.builder("symbolon.edge.key.cooldowns")
                                .description("Times a provider key was left alone by this edge, by why")
                                .tag("provider", key.provider())
                                .tag("reason", reason.label())
                                .register(registry))
                .increment();
    }

    /** Registers the provider's cooling gauge the first time one of its keys has a breaker. */
    private void watch(String provider) {
        gauges.computeIfAbsent(provider, p -> {
            Gauge.builder("symbolon.edge.keys.cooling", this, health -> health.coolingKeys(p))
                    .description("Provider keys this edge is leaving alone now (cooling down or probing)")
                    .tag("provider", p)
                    .register(registry);
            return Boolean.TRUE;
        });
    }

    private double coolingKeys(String provider) {
        return breakers.values().stream()
                .filter(t -> t.provider.equals(provider) && t.breaker.state() != Breaker.State.CLOSED)
                .count();
    }

    private record Tracked(String provider, Breaker breaker) {}
}
