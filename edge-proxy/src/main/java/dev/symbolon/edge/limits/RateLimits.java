package dev.symbolon.edge.limits;

import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.policy.EffectivePolicy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.springframework.stereotype.Component;

/**
 * Requests per minute and tokens per minute, per app and per tenant, on this edge instance. A request
 * takes one request token from each bucket that applies, or none (all or nothing); tokens per minute
 * admit a request while the bucket is not exhausted and are debited with the response's real count.
 */
@Component
public class RateLimits {

    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    RateLimits() {
        this(System::nanoTime);
    }

    RateLimits(LongSupplier clock) {
        this.clock = clock;
    }

    /** Which limit refused a request, and when to try again. */
    public record Refusal(String limit, long retryAfterSeconds) {}

    /** Admits a request, or names the limit that refuses it (taking nothing then). */
    public Refusal admit(AppIdentity caller, EffectivePolicy policy) {
        long now = clock.getAsLong();
        TokenBucket app = bucket("rpm:app:" + caller.appId(), policy.appRequestsPerMinute(), now);
        TokenBucket tenant = bucket("rpm:tenant:" + caller.tenantId(), policy.tenantRequestsPerMinute(), now);
        if (app != null && !app.tryTake(1, policy.appRequestsPerMinute(), now)) {
            return refusal("requests-per-minute (app)", app, 1);
        }
        if (tenant != null && !tenant.tryTake(1, policy.tenantRequestsPerMinute(), now)) {
            if (app != null) {
                app.refund(1);
            }
            return refusal("requests-per-minute (tenant)", tenant, 1);
        }
        TokenBucket appTokens = bucket("tpm:app:" + caller.appId(), policy.appTokensPerMinute(), now);
        if (appTokens != null && !appTokens.positive(policy.appTokensPerMinute(), now)) {
            refundRequest(app, tenant);
            return refusal("tokens-per-minute (app)", appTokens, 1);
        }
        TokenBucket tenantTokens = bucket("tpm:tenant:" + caller.tenantId(), policy.tenantTokensPerMinute(), now);
        if (tenantTokens != null && !tenantTokens.positive(policy.tenantTokensPerMinute(), now)) {
            refundRequest(app, tenant);
            return refusal("tokens-per-minute (tenant)", tenantTokens, 1);
        }
        return null;
    }

    /** Debits the tokens a finished request used. */
    public void used(AppIdentity caller, EffectivePolicy policy, long tokens) {
        if (tokens <= 0) {
            return;
        }
        long now = clock.getAsLong();
        TokenBucket appTokens = bucket("tpm:app:" + caller.appId(), policy.appTokensPerMinute(), now);
        if (appTokens != null) {
            appTokens.debit(tokens, policy.appTokensPerMinute(), now);
        }
        TokenBucket tenantTokens = bucket("tpm:tenant:" + caller.tenantId(), policy.tenantTokensPerMinute(), now);
        if (tenantTokens != null) {
            tenantTokens.debit(tokens, policy.tenantTokensPerMinute(), now);
        }
    }

    private TokenBucket bucket(String key, Long perMinute, long now) {
        if (perMinute == null) {
            return null;
        }
        return buckets.computeIfAbsent(key, k -> new TokenBucket(perMinute, now));
    }

    private static void refundRequest(TokenBucket app, TokenBucket tenant) {
        if (app != null) {
            app.refund(1);
        }
        if (tenant != null) {
            tenant.refund(1);
        }
    }

    private static Refusal refusal(String limit, TokenBucket bucket, long amount) {
        return new Refusal(limit, Math.max(1, (bucket.nanosUntil(amount) + 999_999_999L) / 1_000_000_000L));
    }
}
