package dev.symbolon.keyvault.keys;

import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.KeyLifecycleEvent.Action;
import dev.symbolon.contracts.KeyLifecycleEvent.KeyKind;
import dev.symbolon.contracts.ProviderCatalogue;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.SplitKey;
import dev.symbolon.keyvault.KeyVaultProperties;
import dev.symbolon.keyvault.store.KeyFingerprint;
import dev.symbolon.keyvault.store.WrappedEntries;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every provider key: the operator's server keys (optionally scoped to one tenant) and tenants' own
 * keys, kept whole in the store (managed BYOK) or split (split BYOK). Material goes to the key store,
 * always as ciphertext of its wrapping key; PostgreSQL gets metadata only; every change is published
 * ({@link KeyEvents}).
 *
 * <p>A rotation adds a version; the previous one keeps working until its grace ends
 * ({@code rotation-grace}), then {@link #retireExpiredVersions()} destroys it.
 */
@Service
public class ProviderKeys {

    private static final Logger log = LoggerFactory.getLogger(ProviderKeys.class);
    private static final String ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final Pattern PROVIDER = Pattern.compile("[a-z][a-z0-9-]{0,30}(:[a-z0-9][a-z0-9_-]{0,40})?");
    private static final Pattern TENANT = Pattern.compile("t_[a-z0-9]{1,40}|_platform");
    private static final int MAX_KEY_CHARS = 4096;

    private final ProviderKeyRepository repository;
    private final WrappedEntries material;
    private final KeyEvents events;
    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;
    private final KeyVaultProperties properties;
    private final org.springframework.core.env.Environment environment;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ProviderKeys(
            ProviderKeyRepository repository,
            WrappedEntries material,
            KeyEvents events,
            TransactionTemplate transactions,
            JdbcClient jdbc,
            KeyVaultProperties properties,
            org.springframework.core.env.Environment environment) {
        this.repository = repository;
        this.material = material;
        this.events = events;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.properties = properties;
        this.environment = environment;
        this.clock = Clock.systemUTC();
    }

    /** Registers the configured server keys once the service is up. */
    @EventListener(ApplicationReadyEvent.class)
    void registerConfiguredKeys() {
        properties.serverKeys().forEach((provider, configured) -> {
            if (configured.apiKey() != null && !configured.apiKey().isEmpty()) {
                registerServerKey(provider, configured.apiKey(), configured.label(), null, null, Actor.SYSTEM);
            }
        });
        // every catalogue provider's key from its environment variable, unless configured above
        for (ProviderCatalogue.Entry entry : ProviderCatalogue.ALL) {
            String value = environment.getProperty(entry.serverKeyEnv());
            if (!properties.serverKeys().containsKey(entry.name()) && value != null && !value.isBlank()) {
                registerServerKey(
                        entry.name(), Secret.of(value), "from " + entry.serverKeyEnv(), null, null, Actor.SYSTEM);
            }
        }
    }

    /**
     * Puts {@code apiKey} in the provider's server-key pool (for every tenant, or only {@code
     * scopeTenantId}'s). Within a pool a key is named by its label: a value already in the pool
     * changes nothing (but its weight, when given); a new value under a label the pool holds rotates
     * that key to a new version; a new value under a new label joins the pool as another key.
     *
     * @param weight the key's share of the pool's requests, 1 to 100; null keeps it (1 for a new key)
     */
    public Described registerServerKey(
            String provider, Secret apiKey, String label, String scopeTenantId, Integer weight, Actor actor) {
        requireProvider(provider);
        requireKey(apiKey);
        requireWeight(weight);
        if (scopeTenantId != null) {
            requireTenant(scopeTenantId);
        }
        String fingerprint = KeyFingerprint.of(apiKey);
        String name = trimLabel(label);
        List<ProviderKeyEntity> pool = serverPoolOf(provider, scopeTenantId);
        Optional<ProviderKeyEntity> same =
                pool.stream().filter(k -> k.fingerprint().equals(fingerprint)).findFirst();
        if (same.isPresent()) {
            ProviderKeyEntity key = same.get();
            if (!material.has(key.materialPath(), key.keyVersion())) {
                // Metadata without material (a store that was reset): put the same value back.
                material.put(key.materialPath(), key.context(), key.keyVersion(), apiKey.revealBytes());
            }
            return weight == null || weight == key.weight() ? describe(key) : reweigh(key.keyId(), weight, actor);
        }
        Optional<ProviderKeyEntity> named = pool.stream()
                .filter(k -> java.util.Objects.equals(k.label(), name))
                .findFirst();
        if (named.isPresent()) {
            Described rotated = rotate(named.get().keyId(), null, apiKey, actor).key();
            return weight == null || weight == rotated.weight() ? rotated : reweigh(rotated.keyId(), weight, actor);
        }
        return create(
                        KeyLifecycleEvent.PLATFORM_TENANT,
                        provider,
                        KeyKind.SERVER,
                        apiKey,
                        label,
                        scopeTenantId,
                        weight == null ? 1 : weight,
                        actor)
                .key();
    }

    /**
     * Sets a key's share of its pool's requests (server keys and a tenant's managed keys); edges pick
     * it up when their cached pool expires.
     *
     * @param tenantId the caller's tenant, or null for the operator (any key)
     */
    public Described reweigh(String keyId, String tenantId, int weight, Actor actor) {
        requireWeight(weight);
        ProviderKeyEntity key = transactions.execute(tx -> {
            ProviderKeyEntity found = owned(keyId, tenantId).orElseThrow(() -> new UnknownKeyException(keyId));
            if (found.kind() == KeyKind.SPLIT) {
                throw new IllegalArgumentException("a split key is in no pool: its client part names it alone");
            }
            found.weigh(weight);
            return repository.saveAndFlush(found);
        });
        events.audit(
                key.tenantId(),
                "provider_key.reweighed",
                key.keyId(),
                clock.instant(),
                actor,
                Map.of("weight", Integer.toString(weight), "provider", key.provider()));
        return describe(key);
    }

    private Described reweigh(String keyId, int weight, Actor actor) {
        return reweigh(keyId, null, weight, actor);
    }

    /** A tenant's own key, kept whole (MANAGED) or split (SPLIT: the answer carries the client part, once). */
    public Created createTenantKey(
            String tenantId, String provider, KeyKind kind, Secret apiKey, String label, Actor actor) {
        requireTenant(tenantId);
        requireProvider(provider);
        requireKey(apiKey);
        if (kind == KeyKind.SERVER || KeyLifecycleEvent.PLATFORM_TENANT.equals(tenantId)) {
            throw new IllegalArgumentException("tenant keys are managed or split");
        }
        return create(tenantId, provider, kind, apiKey, label, null, 1, actor);
    }

    private Created create(
            String tenantId,
            String provider,
            KeyKind kind,
            Secret apiKey,
            String label,
            String scopeTenantId,
            int weight,
            Actor actor) {
        Instant now = clock.instant();
        ProviderKeyEntity key = new ProviderKeyEntity(
                newKeyId(), tenantId, provider, kind, trimLabel(label), KeyFingerprint.of(apiKey), scopeTenantId, now);
        key.weigh(weight);
        String clientPart = transactions.execute(tx -> {
            repository.saveAndFlush(key);
            insertVersion(key, now);
            return storeVersion(key, apiKey);
        });
        events.changed(key, Action.CREATED, now, null, actor);
        log.info("{} key {} for {} created (tenant {})", kind.name().toLowerCase(), key.keyId(), provider, tenantId);
        return new Created(describe(key), clientPart);
    }

    /**
     * A new version of a key; the previous one keeps working until the grace ends. For a split key the
     * answer carries the new version's client part (the old client part keeps opening the old version
     * during the grace).
     *
     * @param tenantId the caller's tenant, or null for the operator (any key)
     */
    public Created rotate(String keyId, String tenantId, Secret apiKey, Actor actor) {
        requireKey(apiKey);
        Instant now = clock.instant();
        Instant graceUntil = now.plus(properties.rotationGrace());
        Rotation rotation = transactions.execute(tx -> {
            ProviderKeyEntity key = owned(keyId, tenantId).orElseThrow(() -> new UnknownKeyException(keyId));
            jdbc.sql("update provider_key_version set grace_until = :until where key_id = :k and version = :v")
                    .param("until", Timestamp.from(graceUntil))
                    .param("k", key.keyId())
                    .param("v", key.keyVersion())
                    .update();
            key.rotate(KeyFingerprint.of(apiKey), now);
            repository.saveAndFlush(key);
            insertVersion(key, now);
            return new Rotation(key, storeVersion(key, apiKey));
        });
        events.changed(rotation.key(), Action.ROTATED, now, graceUntil, actor);
        log.info("key {} rotated to version {}", keyId, rotation.key().keyVersion());
        return new Created(describe(rotation.key()), rotation.clientPart());
    }

    /**
     * Revokes a key: every version is destroyed in the store (so nothing can open it again), the
     * metadata is marked revoked, and edges are told to drop it.
     *
     * @param tenantId the caller's tenant, or null for the operator (any key)
     * @return false when there is no such active key (for this tenant)
     */
    public boolean revoke(String keyId, String tenantId, Actor actor) {
        Instant now = clock.instant();
        ProviderKeyEntity revoked = transactions.execute(tx -> owned(keyId, tenantId)
                .map(key -> {
                    material.destroy(key.materialPath());
                    key.revoke(now);
                    jdbc.sql("update provider_key_version set destroyed_at = :now"
                                    + " where key_id = :k and destroyed_at is null")
                            .param("now", Timestamp.from(now))
                            .param("k", key.keyId())
                            .update();
                    return repository.save(key);
                })
                .orElse(null));
        if (revoked == null) {
            return false;
        }
        events.changed(revoked, Action.REVOKED, now, null, actor);
        log.info("key {} revoked", keyId);
        return true;
    }

    /** Metadata of a tenant's active keys (the operator's server keys for {@code _platform}). */
    public List<Described> list(String tenantId) {
        return repository.findByTenantIdAndStatusOrderByCreatedAt(tenantId, ProviderKeyEntity.Status.ACTIVE).stream()
                .map(this::describe)
                .toList();
    }

    /** Metadata of one active key, if the caller's tenant owns it ({@code tenantId} null: any). */
    public Optional<Described> find(String keyId, String tenantId) {
        return owned(keyId, tenantId).map(this::describe);
    }

    /**
     * What the edge needs to use a key: the material of every version that works now (server and
     * managed: the current key; split: each live version's sealed server part, which only the tenant's
     * client part opens).
     */
    public Optional<Served> serve(String keyId) {
        return repository.findById(keyId).filter(ProviderKeyEntity::active).flatMap(this::serve);
    }

    /**
     * The server-key pool for a provider as one tenant sees it: the keys scoped to it, else the shared
     * ones; the heaviest first. Empty when the provider has none.
     */
    public List<Served> serveServerPool(String provider, String tenantId) {
        List<ProviderKeyEntity> pool = tenantId == null ? List.of() : serverPoolOf(provider, tenantId);
        if (pool.isEmpty()) {
            pool = serverPoolOf(provider, null);
        }
        return pool.stream()
                .sorted(java.util.Comparator.comparingInt(ProviderKeyEntity::weight)
                        .reversed())
                .map(this::serve)
                .flatMap(Optional::stream)
                .toList();
    }

    /**
     * A tenant's managed keys for a provider, the heaviest first: the pool the edge serves the tenant
     * from when its policy is {@code byokOnly} and a request names no key. Empty when it has none.
     */
    public List<Served> serveTenantPool(String tenantId, String provider) {
        requireTenant(tenantId);
        return repository
                .findByTenantIdAndProviderAndKindAndStatusOrderByCreatedAtDesc(
                        tenantId, provider, KeyKind.MANAGED, ProviderKeyEntity.Status.ACTIVE)
                .stream()
                .sorted(java.util.Comparator.comparingInt(ProviderKeyEntity::weight)
                        .reversed())
                .map(this::serve)
                .flatMap(Optional::stream)
                .toList();
    }

    private Optional<Served> serve(ProviderKeyEntity key) {
        events.served(key);
        Instant now = clock.instant();
        Map<Integer, Instant> live = liveVersions(key.keyId(), now);
        TreeMap<Integer, byte[]> opened = material.openAll(key.materialPath(), key.context());
        try {
            List<Served.Version> versions = new ArrayList<>();
            for (Map.Entry<Integer, byte[]> version : opened.descendingMap().entrySet()) {
                int number = version.getKey();
                boolean current = number == key.keyVersion();
                if (!live.containsKey(number) || (!current && key.kind() != KeyKind.SPLIT)) {
                    continue;
                }
                // Split: the sealed server part, base64; otherwise the provider key itself.
                Secret material = key.kind() == KeyKind.SPLIT
                        ? Secret.of(Base64.getEncoder().encodeToString(version.getValue()))
                        : Secret.of(new String(version.getValue(), StandardCharsets.UTF_8));
                versions.add(new Served.Version(number, material, live.get(number)));
            }
            if (versions.isEmpty()) {
                return Optional.empty();
            }
            transactions.executeWithoutResult(tx -> repository.touch(key.keyId(), now));
            return Optional.of(new Served(
                    key.keyId(), key.tenantId(), key.provider(), key.kind(), key.keyVersion(), key.weight(), versions));
        } finally {
            opened.values().forEach(ProviderKeys::zero);
        }
    }

    /**
     * Destroys the versions whose grace has ended, in the store first, then marks them in PostgreSQL.
     * Runs every {@code sweep-interval}; a store outage leaves them for the next run.
     *
     * @return how many versions were retired
     */
    public int retireExpiredVersions() {
        Instant now = clock.instant();
        List<Expired> expired = jdbc.sql("select v.key_id, v.version, k.tenant_id from provider_key_version v"
                        + " join provider_key k on k.key_id = v.key_id"
                        + " where v.destroyed_at is null and v.grace_until <= :now")
                .param("now", Timestamp.from(now))
                .query((rs, n) -> new Expired(rs.getString(1), rs.getInt(2), rs.getString(3)))
                .list();
        for (Expired version : expired) {
            repository.findById(version.keyId()).ifPresent(key -> {
                material.remove(key.materialPath(), version.version());
                jdbc.sql("update provider_key_version set destroyed_at = :now where key_id = :k and version = :v")
                        .param("now", Timestamp.from(now))
                        .param("k", version.keyId())
                        .param("v", version.version())
                        .update();
                events.audit(
                        key.tenantId(),
                        "provider_key.version_retired",
                        key.keyId(),
                        now,
                        Actor.SYSTEM,
                        Map.of("version", Integer.toString(version.version()), "provider", key.provider()));
            });
        }
        return expired.size();
    }

    /** The store paths and contexts of every active key, for a re-wrap after a wrapping-key rotation. */
    public List<WrappedEntries.Location> entries() {
        return repository.findByStatus(ProviderKeyEntity.Status.ACTIVE).stream()
                .map(k -> new WrappedEntries.Location(k.materialPath(), k.context()))
                .toList();
    }

    /** Stores a key's current version; for a split key, seals it first and answers the client part. */
    private String storeVersion(ProviderKeyEntity key, Secret apiKey) {
        byte[] plain = apiKey.revealBytes();
        try {
            if (key.kind() != KeyKind.SPLIT) {
                material.put(key.materialPath(), key.context(), key.keyVersion(), plain);
                return null;
            }
            byte[] clientPart = SplitKey.newClientPart();
            try {
                byte[] sealed = SplitKey.seal(
                        clientPart, plain, SplitKey.aad(key.tenantId(), key.keyId(), key.keyVersion(), key.provider()));
                material.put(key.materialPath(), key.context(), key.keyVersion(), sealed);
                return SplitKey.encodeClientPart(clientPart);
            } finally {
                zero(clientPart);
            }
        } finally {
            zero(plain);
        }
    }

    private void insertVersion(ProviderKeyEntity key, Instant now) {
        jdbc.sql("insert into provider_key_version (key_id, version, fingerprint, created_at)"
                        + " values (:k, :v, :f, :now)")
                .param("k", key.keyId())
                .param("v", key.keyVersion())
                .param("f", key.fingerprint())
                .param("now", Timestamp.from(now))
                .update();
    }

    /** Versions not destroyed and not past their grace, with their grace end (null: current). */
    private Map<Integer, Instant> liveVersions(String keyId, Instant now) {
        Map<Integer, Instant> live = new TreeMap<>();
        jdbc.sql("select version, grace_until from provider_key_version where key_id = :k and destroyed_at is null")
                .param("k", keyId)
                .query((rs, n) -> {
                    Timestamp grace = rs.getTimestamp(2);
                    if (grace == null || grace.toInstant().isAfter(now)) {
                        live.put(rs.getInt(1), grace == null ? null : grace.toInstant());
                    }
                    return null;
                })
                .list();
        return live;
    }

    private Optional<ProviderKeyEntity> owned(String keyId, String tenantId) {
        return repository
                .findById(keyId)
                .filter(ProviderKeyEntity::active)
                .filter(k -> tenantId == null || k.tenantId().equals(tenantId));
    }

    private List<ProviderKeyEntity> serverPoolOf(String provider, String scopeTenantId) {
        return repository
                .findByTenantIdAndProviderAndKindAndStatusOrderByCreatedAtDesc(
                        KeyLifecycleEvent.PLATFORM_TENANT, provider, KeyKind.SERVER, ProviderKeyEntity.Status.ACTIVE)
                .stream()
                .filter(k -> java.util.Objects.equals(k.scopeTenantId(), scopeTenantId))
                .toList();
    }

    private Described describe(ProviderKeyEntity key) {
        return new Described(
                key.keyId(),
                key.tenantId(),
                key.provider(),
                key.kind().name().toLowerCase(),
                key.keyVersion(),
                key.label(),
                key.fingerprint(),
                key.scopeTenantId(),
                key.createdAt(),
                key.rotatedAt(),
                key.lastUsedAt(),
                key.weight());
    }

    private String newKeyId() {
        StringBuilder id = new StringBuilder("key_");
        for (int i = 0; i < 20; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    private static String trimLabel(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        if (label.length() > 200) {
            throw new IllegalArgumentException("label is at most 200 characters");
        }
        return label.strip();
    }

    private static void requireProvider(String provider) {
        if (provider == null || !PROVIDER.matcher(provider).matches()) {
            throw new IllegalArgumentException("provider is a provider name such as openai or compat:name");
        }
    }

    private static void requireWeight(Integer weight) {
        if (weight != null && (weight < 1 || weight > 100)) {
            throw new IllegalArgumentException("weight is a whole number from 1 to 100");
        }
    }

    private static void requireTenant(String tenantId) {
        if (tenantId == null || !TENANT.matcher(tenantId).matches()) {
            throw new IllegalArgumentException("tenant ids look like t_…");
        }
    }

    private static void requireKey(Secret apiKey) {
        if (apiKey == null || apiKey.isEmpty() || apiKey.reveal().isBlank()) {
            throw new IllegalArgumentException("apiKey is required");
        }
        String value = apiKey.reveal();
        if (value.length() > MAX_KEY_CHARS
                || !value.equals(value.strip())
                || value.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException(
                    "apiKey must be printable ASCII without spaces, at most 4096 characters");
        }
    }

    private static void zero(byte[] bytes) {
        Arrays.fill(bytes, (byte) 0);
    }

    private record Rotation(ProviderKeyEntity key, String clientPart) {}

    private record Expired(String keyId, int version, String tenantId) {}

    /** What the API shows of a key (never material). */
    public record Described(
            String keyId,
            String tenantId,
            String provider,
            String kind,
            int keyVersion,
            String label,
            String fingerprint,
            String scopeTenantId,
            Instant createdAt,
            Instant rotatedAt,
            Instant lastUsedAt,
            int weight) {}

    /** A created or rotated key; {@code clientPart} is set for split keys only and shown once. */
    public record Created(Described key, String clientPart) {
        @Override
        public String toString() {
            return "Created[" + key.keyId() + "]";
        }
    }

    /**
     * A key as the edge gets it. Each version's {@code material} is the provider key (server, managed)
     * or the sealed server part in base64 (split); it prints redacted.
     */
    public record Served(
            String keyId,
            String tenantId,
            String provider,
            KeyKind kind,
            int keyVersion,
            int weight,
            List<Version> versions) {
        public record Version(int version, Secret material, Instant graceUntil) {}
    }

    /** No such active key for this caller. */
    public static final class UnknownKeyException extends RuntimeException {
        UnknownKeyException(String keyId) {
            super("no active key " + keyId);
        }
    }
}
