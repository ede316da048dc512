package dev.symbolon.keyvault.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Every call to the key store (Vault or the local sealed files) timed as {@code
 * symbolon.keystore.calls} by store, operation and outcome ({@code ok}, {@code unavailable}: the store
 * could not answer, {@code error}: anything else), and the store's health for readiness ({@code
 * keyStore}): it asks the store for its wrapping key version, at most every {@value #HEALTH_SECONDS} s
 * however often the public probe is asked, and says only up or down.
 */
final class MeteredKeyStore implements KeyStore, HealthIndicator {

    static final int HEALTH_SECONDS = 5;

    private final KeyStore store;
    private final MeterRegistry registry;
    private final String kind;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private volatile Health lastHealth;
    private volatile long lastHealthNanos;

    MeteredKeyStore(KeyStore store, String kind, MeterRegistry registry) {
        this.store = store;
        this.kind = kind;
        this.registry = registry;
    }

    private <T> T timed(String operation, Supplier<T> call) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = call.get();
            outcome = "ok";
            return result;
        } catch (KeyStoreUnavailableException e) {
            outcome = "unavailable";
            throw e;
        } catch (ConcurrentChangeException e) {
            outcome = "conflict";
            throw e;
        } finally {
            timer(operation, outcome).record(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private void timed(String operation, Runnable call) {
        timed(operation, () -> {
            call.run();
            return null;
        });
    }

    private Timer timer(String operation, String outcome) {
        return timers.computeIfAbsent(operation + ' ' + outcome, k -> Timer.builder("symbolon.keystore.calls")
                .description("Calls to the key store, by operation and outcome")
                .tag("store", kind)
                .tag("operation", operation)
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
                .register(registry));
    }

    @Override
    public Health health() {
        Health held = lastHealth;
        if (held != null
                && System.nanoTime() - lastHealthNanos
                        < Duration.ofSeconds(HEALTH_SECONDS).toNanos()) {
            return held;
        }
        Health now;
        try {
            currentWrappingVersion();
            now = Health.up().build();
        } catch (RuntimeException e) {
            now = Health.down().build();
        }
        lastHealth = now;
        lastHealthNanos = System.nanoTime();
        return now;
    }

    @Override
    public Optional<Entry> read(String path) {
        return timed("read", () -> store.read(path));
    }

    @Override
    public int write(String path, Map<String, String> data, int expectedVersion) {
        return timed("write", () -> store.write(path, data, expectedVersion));
    }

    @Override
    public void destroyVersion(String path, int version) {
        timed("destroy_version", () -> store.destroyVersion(path, version));
    }

    @Override
    public void destroy(String path) {
        timed("destroy", () -> store.destroy(path));
    }

    @Override
    public String encrypt(String context, byte[] plaintext) {
        return timed("encrypt", () -> store.encrypt(context, plaintext));
    }

    @Override
    public byte[] decrypt(String context, String ciphertext) {
        return timed("decrypt", () -> store.decrypt(context, ciphertext));
    }

    @Override
    public String rewrap(String context, String ciphertext) {
        return timed("rewrap", () -> store.rewrap(context, ciphertext));
    }

    @Override
    public void rotateWrappingKey() {
        timed("rotate_wrapping_key", store::rotateWrappingKey);
    }

    @Override
    public int wrappingVersionOf(String ciphertext) {
        return store.wrappingVersionOf(ciphertext); // parsed locally, no call
    }

    @Override
    public int currentWrappingVersion() {
        return timed("wrapping_version", store::currentWrappingVersion);
    }
}
