package dev.symbolon.keyvault.keys;

import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.keyvault.store.KeyStore;
import dev.symbolon.keyvault.store.KeyStoreUnavailableException;
import dev.symbolon.keyvault.store.WrappedEntries;
import dev.symbolon.keyvault.webhooks.WebhookSecrets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Background work on stored keys: retiring versions whose rotation grace ended, and re-wrapping every
 * stored ciphertext after the wrapping key (Vault Transit) is rotated, without any tenant's help (the
 * plaintext never leaves the store: Transit's rewrap).
 */
@Component
public class KeyMaintenance implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(KeyMaintenance.class);

    private final ProviderKeys keys;
    private final WebhookSecrets webhookSecrets;
    private final KeyStore store;
    private final WrappedEntries entries;
    private final KeyEvents events;
    private final ExecutorService rewrapper = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "key-rewrap");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicReference<RewrapRun> lastRun = new AtomicReference<>();

    KeyMaintenance(
            ProviderKeys keys,
            WebhookSecrets webhookSecrets,
            KeyStore store,
            WrappedEntries entries,
            KeyEvents events) {
        this.keys = keys;
        this.webhookSecrets = webhookSecrets;
        this.store = store;
        this.entries = entries;
        this.events = events;
    }

    /** Destroys versions whose grace ended; a store outage leaves them for the next run. */
    @Scheduled(
            fixedDelayString = "${symbolon.key-vault.sweep-interval}",
            initialDelayString = "${symbolon.key-vault.sweep-interval}")
    public void sweep() {
        try {
            int retired = keys.retireExpiredVersions();
            if (retired > 0) {
                log.info("retired {} key version(s) whose grace ended", retired);
            }
        } catch (KeyStoreUnavailableException e) {
            log.warn("retiring expired key versions postponed: {}", e.reason());
        }
    }

    /**
     * Rotates the wrapping key, then re-wraps every stored entry under the new version in the
     * background; {@link #status()} tells how far it got.
     */
    public Status rotateWrappingKey(Actor actor) {
        store.rotateWrappingKey();
        int version = store.currentWrappingVersion();
        events.audit(
                KeyLifecycleEvent.PLATFORM_TENANT,
                "wrapping_key.rotated",
                "wrapping-key",
                Instant.now(),
                actor,
                Map.of("wrappingVersion", Integer.toString(version)));
        rewrapInBackground(actor);
        return status();
    }

    /** Starts a re-wrap of every entry (also to resume one a restart interrupted). */
    public Status rewrapInBackground(Actor actor) {
        rewrapper.execute(() -> rewrapAll(actor));
        return status();
    }

    /** Re-wraps every entry made under an older wrapping key; runs on the caller's thread. */
    public RewrapRun rewrapAll(Actor actor) {
        Instant started = Instant.now();
        int current = store.currentWrappingVersion();
        List<WrappedEntries.Location> all = new ArrayList<>(keys.entries());
        all.addAll(webhookSecrets.entries());
        int rewrapped = 0;
        int failed = 0;
        for (WrappedEntries.Location entry : all) {
            try {
                rewrapped += entries.rewrap(entry, current);
            } catch (RuntimeException e) {
                failed++;
                log.warn(
                        "re-wrapping a key store entry failed ({}); run the re-wrap again",
                        e.getClass().getSimpleName());
            }
        }
        RewrapRun run = new RewrapRun(started, Instant.now(), current, all.size(), rewrapped, failed);
        lastRun.set(run);
        events.audit(
                KeyLifecycleEvent.PLATFORM_TENANT,
                "wrapping_key.rewrapped",
                "wrapping-key",
                run.finishedAt(),
                actor,
                Map.of(
                        "wrappingVersion", Integer.toString(run.wrappingVersion()),
                        "entries", Integer.toString(run.entries()),
                        "rewrapped", Integer.toString(run.rewrapped()),
                        "failed", Integer.toString(run.failed())));
        log.info(
                "re-wrap done: {} entries, {} versions re-wrapped, {} failed",
                run.entries(),
                run.rewrapped(),
                run.failed());
        return run;
    }

    public Status status() {
        return new Status(store.currentWrappingVersion(), lastRun.get());
    }

    @Override
    public void destroy() {
        rewrapper.shutdownNow();
    }

    /** The wrapping key's version and the last re-wrap (null until one ran in this process). */
    public record Status(int wrappingVersion, RewrapRun lastRewrap) {}

    /** One pass over every entry. */
    public record RewrapRun(
            Instant startedAt, Instant finishedAt, int wrappingVersion, int entries, int rewrapped, int failed) {}
}
