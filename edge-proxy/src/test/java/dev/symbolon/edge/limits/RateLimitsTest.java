package dev.symbolon.edge.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.policy.EffectivePolicy;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

    static final long SECOND = 1_000_000_000L;

    final AtomicLong now = new AtomicLong(1_000 * SECOND);
    final RateLimits limits = new RateLimits(now::get);
    final AppIdentity app1 = new AppIdentity("t_1", "app_1");
    final AppIdentity app2 = new AppIdentity("t_1", "app_2");

    @Test
    void an_app_gets_its_requests_per_minute_then_waits_for_refill() {
        EffectivePolicy policy = EffectivePolicy.of(null, limits(10L, null), null);

        for (int i = 0; i < 10; i++) {
            assertThat(limits.admit(app1, policy)).isNull();
        }
        RateLimits.Refusal refusal = limits.admit(app1, policy);

        assertThat(refusal.limit()).isEqualTo("requests-per-minute (app)");
        assertThat(refusal.retryAfterSeconds()).isEqualTo(6);
        now.addAndGet(6 * SECOND);
        assertThat(limits.admit(app1, policy)).isNull();
        assertThat(limits.admit(app1, policy)).isNotNull();
    }

    @Test
    void a_tenant_limit_is_shared_by_its_apps_and_refunds_the_app_it_refused() {
        EffectivePolicy tenantOf3 = EffectivePolicy.of(limits(3L, null), limits(100L, null), null);

        assertThat(limits.admit(app1, tenantOf3)).isNull();
        assertThat(limits.admit(app2, tenantOf3)).isNull();
        assertThat(limits.admit(app1, tenantOf3)).isNull();
        assertThat(limits.admit(app2, tenantOf3).limit()).isEqualTo("requests-per-minute (tenant)");
    }

    @Test
    void tokens_per_minute_admit_while_positive_and_debit_what_was_used() {
        EffectivePolicy policy = EffectivePolicy.of(null, limits(null, 600L), null);

        assertThat(limits.admit(app1, policy)).isNull();
        limits.used(app1, policy, 900);

        RateLimits.Refusal refusal = limits.admit(app1, policy);
        assertThat(refusal.limit()).isEqualTo("tokens-per-minute (app)");
        assertThat(refusal.retryAfterSeconds())
                .as("300 tokens owed at 10/s, then one more")
                .isEqualTo(31);
        now.addAndGet(31 * SECOND);
        assertThat(limits.admit(app1, policy)).isNull();
    }

    @Test
    void no_policy_no_limit() {
        for (int i = 0; i < 1000; i++) {
            assertThat(limits.admit(app1, EffectivePolicy.OPEN)).isNull();
        }
    }

    private static Policy limits(Long requestsPerMinute, Long tokensPerMinute) {
        return Policy.builder()
                .requestsPerMinute(requestsPerMinute)
                .tokensPerMinute(tokensPerMinute)
                .build();
    }
}
