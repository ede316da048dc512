package dev.symbolon.edge.auth;

import dev.symbolon.contracts.CredentialHasher;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.TenantConfigSnapshot.Status;
import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.policy.EffectivePolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The apps this edge accepts, looked up by the keyed hash of the presented credential. Held in
 * memory and fed by {@code tenant-config.v1} snapshots; the hot path never asks a database. A snapshot
 * replaces everything the edge knew of its tenant; an older revision than the one held is ignored, a
 * deletion (tombstone) forgets the tenant.
 */
@Component
public class AppDirectory {

    private final CredentialHasher hasher;
    private final Clock clock;
    private final Map<String, Entry> byCredentialHash = new ConcurrentHashMap<>();
    private final Map<String, Entry> byCredentialId = new ConcurrentHashMap<>();
    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
    /** Revoked app tokens by id, until they would have expired anyway. */
    private final Map<String, Instant> revokedTokens = new ConcurrentHashMap<>();

    private volatile EffectivePolicy.IpList globalRules = EffectivePolicy.IpList.NONE;
    private long globalRevision = -1;

    @Autowired
    AppDirectory(EdgeProperties properties) {
        this(properties, Clock.systemUTC());
    }

    AppDirectory(EdgeProperties properties, Clock clock) {
        this.hasher = new CredentialHasher(properties.credentialPepper());
        this.clock = clock;
    }

    /** What a presented credential establishes. */
    public sealed interface Result {}

    /** A known credential of an active app of an active tenant, and what that app may do. */
    public record Accepted(AppIdentity identity, EffectivePolicy policy, String credentialId) implements Result {}

    /** Missing, unknown, revoked or expired: the caller is not authenticated (401). */
    public record Unknown() implements Result {}

    /** A valid credential of a suspended tenant or app (403). */
    public record Suspended(AppIdentity identity, String what) implements Result {}

    public Result authenticate(String credential) {
        if (credential == null || credential.isBlank()) {
            return new Unknown();
        }
        return check(byCredentialHash.get(hasher.hash(credential)));
    }

    /**
     * The app a token names, if the credential it was issued for is still active: revoking or
     * expiring the credential ends its tokens too.
     */
    /** An app API key or an app token ({@code POST /auth/token}), whichever the credential is. */
    public Result authenticateAny(String credential, AppTokens tokens) {
        return AppTokens.looksLikeToken(credential)
                ? tokens.verify(credential).map(this::authenticateToken).orElse(new Unknown())
                : authenticate(credential);
    }

    public Result authenticateToken(AppTokens.Claims token) {
        if (revokedTokens.containsKey(token.tokenId())) {
            return new Unknown();
        }
        Entry entry = byCredentialId.get(token.credentialId());
        if (entry == null
                || !entry.identity().tenantId().equals(token.tenantId())
                || !entry.identity().appId().equals(token.appId())) {
            return new Unknown();
        }
        return check(entry);
    }

    private Result check(Entry entry) {
        if (entry == null || (entry.expiresAt() != null && !entry.expiresAt().isAfter(clock.instant()))) {
            return new Unknown();
        }
        Tenant tenant = tenants.get(entry.identity().tenantId());
        if (tenant == null) {
            return new Unknown();
        }
        if (tenant.status() != Status.ACTIVE) {
            return new Suspended(entry.identity(), "tenant");
        }
        if (entry.appStatus() != Status.ACTIVE) {
            return new Suspended(entry.identity(), "app");
        }
        return new Accepted(entry.identity(), entry.policy(), entry.credentialId());
    }

    /** Applies a tenant's snapshot, unless it is older than what is held. */
    public synchronized void apply(TenantConfigSnapshot snapshot) {
        if (snapshot.tenantId().equals(KeyLifecycleEvent.PLATFORM_TENANT)) {
            if (snapshot.revision() > globalRevision) {
                globalRevision = snapshot.revision();
                globalRules = EffectivePolicy.IpList.of(snapshot.ipRules());
            }
            return;
        }
        Tenant held = tenants.get(snapshot.tenantId());
        if (held != null && held.revision() >= snapshot.revision()) {
            return;
        }
        Instant now = clock.instant();
        revokedTokens.values().removeIf(expiry -> expiry.isBefore(now));
        snapshot.revokedTokens().forEach(token -> revoked(token.tokenId(), token.expiresAt()));
        Map<String, Entry> entries = snapshot.apps().stream()
                .flatMap(app -> app.credentials().stream()
                        .filter(c -> c.status() == Status.ACTIVE)
                        .map(c -> Map.entry(
                                c.hash(),
                                new Entry(
                                        new AppIdentity(snapshot.tenantId(), app.appId()),
                                        app.status(),
                                        c.expiresAt(),
                                        EffectivePolicy.of(
                                                snapshot.policy(),
                                                app.policy(),
                                                snapshot.ipRules(),
                                                snapshot.timeZone()),
                                        c.credentialId()))))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a));
        byCredentialHash.putAll(entries);
        entries.values().forEach(entry -> byCredentialId.put(entry.credentialId(), entry));
        tenants.put(snapshot.tenantId(), new Tenant(snapshot.revision(), snapshot.status(), entries));
        if (held != null) {
            held.entries().forEach((hash, entry) -> {
                if (!entries.containsKey(hash)) {
                    byCredentialHash.remove(hash);
                    byCredentialId.remove(entry.credentialId());
                }
            });
        }
    }

    /** Forgets a deleted tenant. */
    public synchronized void remove(String tenantId) {
        Tenant held = tenants.remove(tenantId);
        if (held != null) {
            held.entries().forEach((hash, entry) -> {
                byCredentialHash.remove(hash);
                byCredentialId.remove(entry.credentialId());
            });
        }
    }

    /**
     * A token revoked (here, or at another edge and heard through {@code tenant-config.v1}); it is
     * refused until it would have expired anyway, then forgotten (with the next snapshot applied).
     */
    public void revoked(String tokenId, Instant expiresAt) {
        if (expiresAt.isAfter(clock.instant())) {
            revokedTokens.put(tokenId, expiresAt);
        }
    }

    /** How many tenants are held (for health details and tests). */
    public int tenantCount() {
        return tenants.size();
    }

    /** Platform-wide IP rules (the {@code _platform} snapshot), checked for every tenant. */
    public EffectivePolicy.IpList globalRules() {
        return globalRules;
    }

    private record Entry(
            AppIdentity identity, Status appStatus, Instant expiresAt, EffectivePolicy policy, String credentialId) {}

    private record Tenant(long revision, Status status, Map<String, Entry> entries) {}
}
