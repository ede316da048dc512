package dev.symbolon.edge.keys;

import dev.symbolon.edge.EdgeProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Limits refused split-key attempts per key id (of the caller's tenant) and per tenant. Each refusal
 * spends one unit of a bucket that holds {@code failures} and refills one unit every
 * {@code per / failures}; while a bucket is empty every split-key attempt it covers is refused with
 * 429 before any key is opened, right or wrong client part alike, so the answer says nothing about
 * the key. A unit is taken before the client part is tried and given back if it opens the key, so
 * however many wrong attempts run at once, no more than {@code failures} are tried. A key id is counted within the caller's tenant: another tenant cannot lock a tenant's key
 * out. The first refusal that empties a bucket is reported once ({@link Tripped}) until it refills.
 *
 * <p>Memory stays bounded: full buckets are forgotten when the table grows past {@link #SWEEP_AT},
 * and a tenant creates key buckets no faster than its own bucket lets it fail.
 */
public final class SplitKeyFailures {

    static final int SWEEP_AT = 10_000;

    /** Key ids as key-vault-service issues them; anything else is counted against the tenant only. */
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final EdgeProperties.FailureLimit perKey;
    private final EdgeProperties.FailureLimit perTenant;
    private final LongSupplier clock;
    private final Map<String, Bucket> keys = new ConcurrentHashMap<>();
    private final Map<String, Bucket> tenants = new ConcurrentHashMap<>();

    SplitKeyFailures(EdgeProperties.SplitKeyFailures limits, LongSupplier nanoClock) {
        this.perKey = limits.perKey();
        this.perTenant = limits.perTenant();
        this.clock = nanoClock;
    }

    /** Which bucket a refusal came from, for the client ({@code x-symbolon-limit}) and the audit log. */
    public enum Scope {
        KEY("split-key-failures (key)"),
        TENANT("split-key-failures (tenant)");

        private final String limitName;

        Scope(String limitName) {
            this.limitName = limitName;
        }

        public String limitName() {
            return limitName;
        }
    }

    /** What {@link #attempt} answers: go ahead, or locked. */
    sealed interface Admission permits Locked, Attempt {}

    /** Attempts are refused until {@code retryAfter}; {@code scope} says which bucket is empty. */
    public record Locked(Scope scope, Duration retryAfter) implements Admission {}

    /** A bucket ran empty just now: worth one audit entry. */
    public record Tripped(Scope scope, String tenantId, String keyId, int failures, Duration per) {}

    /** Null when an attempt on this key may go ahead; else how long it is locked. Spends nothing. */
    Locked check(String tenantId, String keyId) {
        long now = clock.getAsLong();
        Bucket tenant = tenants.get(tenantId);
        if (tenant != null && tenant.empty(perTenant, now)) {
            return new Locked(Scope.TENANT, tenant.untilOne(perTenant, now));
        }
        Bucket key = tracked(keyId) ? keys.get(tenantId + '/' + keyId) : null;
        if (key != null && key.empty(perKey, now)) {
            return new Locked(Scope.KEY, key.untilOne(perKey, now));
        }
        return null;
    }

    /**
     * Takes one unit from the key's and the tenant's bucket before a client part is tried, so that
     * concurrent wrong attempts cannot outrun the limit; the caller settles it with
     * {@link Attempt#succeeded} (units given back) or {@link Attempt#failed}. Held only while the key
     * is opened (microseconds), so concurrent right attempts do not crowd each other out.
     *
     * @return the attempt, or a lock when either bucket is empty (nothing is taken then)
     */
    Admission attempt(String tenantId, String keyId) {
        long now = clock.getAsLong();
        if (keys.size() + tenants.size() > SWEEP_AT) {
            sweep(now);
        }
        Bucket tenant = tenants.computeIfAbsent(tenantId, t -> new Bucket(perTenant, now));
        if (!tenant.tryTake(perTenant, now)) {
            return new Locked(Scope.TENANT, tenant.untilOne(perTenant, now));
        }
        Bucket key = tracked(keyId) ? keys.computeIfAbsent(tenantId + '/' + keyId, k -> new Bucket(perKey, now)) : null;
        if (key != null && !key.tryTake(perKey, now)) {
            tenant.refund(perTenant);
            return new Locked(Scope.KEY, key.untilOne(perKey, now));
        }
        return new Attempt(tenantId, keyId, tenant, key);
    }

    /** One client part being tried: its units are taken until it is settled. */
    final class Attempt implements Admission {
        private final String tenantId;
        private final String keyId;
        private final Bucket tenant;
        private final Bucket key;

        private Attempt(String tenantId, String keyId, Bucket tenant, Bucket key) {
            this.tenantId = tenantId;
            this.keyId = keyId;
            this.tenant = tenant;
            this.key = key;
        }

        /** Not a guess (the key opened, or it is the tenant's own key of another provider). */
        void succeeded() {
            tenant.refund(perTenant);
            if (key != null) {
                key.refund(perKey);
            }
        }

        /** A refused attempt keeps its units; says which bucket it emptied, the first time it does. */
        Tripped failed() {
            long now = clock.getAsLong();
            if (key != null && key.reportIfEmpty(perKey, now)) {
                return new Tripped(Scope.KEY, tenantId, keyId, perKey.failures(), perKey.per());
            }
            if (tenant.reportIfEmpty(perTenant, now)) {
                return new Tripped(Scope.TENANT, tenantId, null, perTenant.failures(), perTenant.per());
            }
            return null;
        }
    }

    int tracked() {
        return keys.size() + tenants.size();
    }

    private static boolean tracked(String keyId) {
        return keyId != null && KEY_ID.matcher(keyId).matches();
    }

    private void sweep(long now) {
        keys.values().removeIf(bucket -> bucket.full(perKey, now));
        tenants.values().removeIf(bucket -> bucket.full(perTenant, now));
    }

    /** Units of allowed failures, refilled continuously; {@code reported} until it is full again. */
    private static final class Bucket {
        private double units;
        private long updated;
        private boolean reported;

        Bucket(EdgeProperties.FailureLimit limit, long now) {
            this.units = limit.failures();
            this.updated = now;
        }

        synchronized boolean tryTake(EdgeProperties.FailureLimit limit, long now) {
            refill(limit, now);
            if (units < 1) {
                return false;
            }
            units -= 1;
            return true;
        }

        synchronized void refund(EdgeProperties.FailureLimit limit) {
            units = Math.min(limit.failures(), units + 1);
        }

        /** True once per emptying: the bucket is empty now and that has not been reported. */
        synchronized boolean reportIfEmpty(EdgeProperties.FailureLimit limit, long now) {
            refill(limit, now);
            if (units < 1 && !reported) {
                reported = true;
                return true;
            }
            return false;
        }

        synchronized boolean empty(EdgeProperties.FailureLimit limit, long now) {
            refill(limit, now);
            return units < 1;
        }

        synchronized boolean full(EdgeProperties.FailureLimit limit, long now) {
            refill(limit, now);
            return units >= limit.failures();
        }

        synchronized Duration untilOne(EdgeProperties.FailureLimit limit, long now) {
            refill(limit, now);
            double missing = 1 - units;
            return missing <= 0 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(missing * nanosPerUnit(limit)));
        }

        private void refill(EdgeProperties.FailureLimit limit, long now) {
            long elapsed = now - updated;
            if (elapsed > 0) {
                units = Math.min(limit.failures(), units + elapsed / nanosPerUnit(limit));
                updated = now;
            }
            if (units >= limit.failures()) {
                reported = false;
            }
        }

        private static double nanosPerUnit(EdgeProperties.FailureLimit limit) {
            return (double) limit.per().toNanos() / limit.failures();
        }
    }
}
