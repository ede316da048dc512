package dev.symbolon.keyvault.serverkeys;

import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.KeyLifecycleEvent.Action;
import dev.symbolon.contracts.KeyLifecycleEvent.KeyKind;
import dev.symbolon.contracts.Secret;
import dev.symbolon.keyvault.KeyVaultProperties;
import dev.symbolon.keyvault.store.KeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Operator-owned provider keys. Material goes to the {@link KeyStore}; PostgreSQL gets the metadata
 * (id, provider, version, fingerprint), and {@code key-lifecycle.v1} tells the edges.
 */
@Service
public class ServerKeys {

    private static final Logger log = LoggerFactory.getLogger(ServerKeys.class);
    private static final String ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

    private final ProviderKeyRepository repository;
    private final KeyStore store;
    private final KeyLifecyclePublisher events;
    private final TransactionTemplate transactions;
    private final KeyVaultProperties properties;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ServerKeys(
            ProviderKeyRepository repository,
            KeyStore store,
            KeyLifecyclePublisher events,
            TransactionTemplate transactions,
            KeyVaultProperties properties) {
        this.repository = repository;
        this.store = store;
        this.events = events;
        this.transactions = transactions;
        this.properties = properties;
        this.clock = Clock.systemUTC();
    }

    /** Registers the configured server keys once the service is up. */
    @EventListener(ApplicationReadyEvent.class)
    void registerConfiguredKeys() {
        properties.serverKeys().forEach((provider, configured) -> {
            if (configured.apiKey() != null && !configured.apiKey().isEmpty()) {
                register(provider, configured.apiKey(), configured.label());
            }
        });
    }

    /**
     * Makes {@code apiKey} the provider's server key: creates it, or rotates the existing one to a new
     * version when the value changed. Registering the same value again changes nothing.
     *
     * @return the key's public id
     */
    public String register(String provider, Secret apiKey, String label) {
        String fingerprint = KeyFingerprint.of(apiKey);
        Instant now = clock.instant();
        Registration registration = transactions.execute(tx -> {
            Optional<ProviderKeyEntity> current = active(provider);
            if (current.isPresent() && current.get().fingerprint().equals(fingerprint)) {
                return new Registration(current.get(), null);
            }
            ProviderKeyEntity key = current.map(existing -> {
                        existing.rotate(fingerprint, now);
                        return existing;
                    })
                    .orElseGet(() -> new ProviderKeyEntity(
                            newKeyId(),
                            KeyLifecycleEvent.PLATFORM_TENANT,
                            provider,
                            KeyKind.SERVER,
                            label,
                            fingerprint,
                            now));
            store.write(key.materialPath(), apiKey);
            repository.save(key);
            return new Registration(key, current.isPresent() ? Action.ROTATED : Action.CREATED);
        });
        if (registration.action() != null) {
            events.publish(registration.key(), registration.action(), now);
            log.info(
                    "server key {} for {} {} (version {}, {})",
                    registration.key().keyId(),
                    provider,
                    registration.action().name().toLowerCase(),
                    registration.key().keyVersion(),
                    fingerprint);
        }
        return registration.key().keyId();
    }

    /**
     * Makes {@code apiKey} the provider's server key, as {@link #register(String, Secret, String)},
     * and says what happened.
     */
    public Registered registerAndDescribe(String provider, Secret apiKey, String label) {
        String keyId = register(provider, apiKey, label);
        ProviderKeyEntity key = repository.findById(keyId).orElseThrow();
        return new Registered(key.keyId(), key.provider(), key.keyVersion(), key.fingerprint());
    }

    /** Metadata of every active server key (never material). */
    public java.util.List<Registered> list() {
        return repository.findAll().stream()
                .filter(k -> k.kind() == KeyKind.SERVER && k.active())
                .map(k -> new Registered(k.keyId(), k.provider(), k.keyVersion(), k.fingerprint()))
                .toList();
    }

    /** Revokes a server key: its material is destroyed and edges are told to drop it. */
    public boolean revoke(String keyId) {
        Instant now = clock.instant();
        ProviderKeyEntity revoked = transactions.execute(tx -> repository
                .findById(keyId)
                .filter(k -> k.kind() == KeyKind.SERVER && k.active())
                .map(k -> {
                    for (int v = 1; v <= k.keyVersion(); v++) {
                        store.destroy(k.materialPath(v));
                    }
                    k.revoke();
                    return repository.save(k);
                })
                .orElse(null));
        if (revoked == null) {
            return false;
        }
        events.publish(revoked, Action.REVOKED, now);
        return true;
    }

    /** What the API shows of a server key. */
    public record Registered(String keyId, String provider, int keyVersion, String fingerprint) {}

    /** The provider's current server key with its material, for the edge. */
    public Optional<ResolvedKey> current(String provider) {
        return active(provider).flatMap(key -> store.read(key.materialPath())
                .map(material -> new ResolvedKey(key.keyId(), provider, key.kind(), key.keyVersion(), material)));
    }

    private Optional<ProviderKeyEntity> active(String provider) {
        return repository.findFirstByTenantIdAndProviderAndKindAndStatusOrderByCreatedAtDesc(
                KeyLifecycleEvent.PLATFORM_TENANT, provider, KeyKind.SERVER, ProviderKeyEntity.Status.ACTIVE);
    }

    private String newKeyId() {
        StringBuilder id = new StringBuilder("key_");
        for (int i = 0; i < 20; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    private record Registration(ProviderKeyEntity key, Action action) {}

    /** A key with its material; {@code apiKey} prints redacted. */
    public record ResolvedKey(String keyId, String provider, KeyKind kind, int keyVersion, Secret apiKey) {}
}
