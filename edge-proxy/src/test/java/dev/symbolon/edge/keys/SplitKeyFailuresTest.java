package dev.symbolon.edge.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.edge.EdgeProperties;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SplitKeyFailuresTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final SplitKeyFailures failures = new SplitKeyFailures(
            new EdgeProperties.SplitKeyFailures(
                    new EdgeProperties.FailureLimit(3, Duration.ofMinutes(3)),
                    new EdgeProperties.FailureLimit(5, Duration.ofMinutes(5))),
            now::get);

    @Test
    void a_key_locks_after_its_failures_and_one_more_attempt_is_allowed_per_refill_interval() {
        for (int i = 0; i < 3; i++) {
            fail("t1", "key_a");
        }
        SplitKeyFailures.Locked locked = failures.check("t1", "key_a");
        assertThat(locked.scope()).isEqualTo(SplitKeyFailures.Scope.KEY);
        assertThat(locked.retryAfter()).isBetween(Duration.ofMillis(59_999), Duration.ofMillis(60_001));
        assertThat(failures.attempt("t1", "key_a")).isInstanceOf(SplitKeyFailures.Locked.class);

        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(failures.check("t1", "key_a").retryAfter())
                .isBetween(Duration.ofMillis(999), Duration.ofMillis(1_001));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(failures.check("t1", "key_a")).isNull();
        fail("t1", "key_a");
        assertThat(failures.check("t1", "key_a")).isNotNull();
    }

    @Test
    void an_attempt_that_opens_the_key_gives_its_units_back() {
        for (int i = 0; i < 10; i++) {
            ((SplitKeyFailures.Attempt) failures.attempt("t1", "key_a")).succeeded();
        }
        assertThat(failures.check("t1", "key_a")).isNull();
    }

    @Test
    void a_bucket_is_reported_once_per_emptying() {
        assertThat(fail("t1", "key_a")).isNull();
        assertThat(fail("t1", "key_a")).isNull();
        SplitKeyFailures.Tripped tripped = fail("t1", "key_a");
        assertThat(tripped.scope()).isEqualTo(SplitKeyFailures.Scope.KEY);
        assertThat(tripped.keyId()).isEqualTo("key_a");

        now.addAndGet(Duration.ofMinutes(1).toNanos());
        assertThat(fail("t1", "key_a")).as("still the same lockout").isNull();

        now.addAndGet(Duration.ofMinutes(3).toNanos()); // full again: re-armed
        fail("t1", "key_a");
        fail("t1", "key_a");
        assertThat(fail("t1", "key_a")).isNotNull();
    }

    @Test
    void many_key_ids_lock_the_tenant_and_not_another_tenant() {
        for (int i = 0; i < 4; i++) {
            assertThat(fail("t1", "key_" + i)).isNull();
        }
        SplitKeyFailures.Tripped tripped = fail("t1", "key_4");
        assertThat(tripped.scope()).isEqualTo(SplitKeyFailures.Scope.TENANT);
        assertThat(failures.check("t1", "key_new").scope()).isEqualTo(SplitKeyFailures.Scope.TENANT);
        assertThat(failures.check("t2", "key_0")).isNull();
    }

    @Test
    void key_ids_of_a_shape_key_vault_never_issues_count_against_the_tenant_only() {
        String odd = "x".repeat(65);
        for (int i = 0; i < 5; i++) {
            fail("t1", odd + i);
        }
        assertThat(failures.tracked()).isEqualTo(1);
        assertThat(failures.check("t1", "key_fine").scope()).isEqualTo(SplitKeyFailures.Scope.TENANT);
    }

    @Test
    void the_table_stays_bounded_and_forgets_only_full_buckets() {
        fail("t_bad", "key_bad");
        int most = 0;
        for (int i = 0; i < 3 * SplitKeyFailures.SWEEP_AT; i++) {
            ((SplitKeyFailures.Attempt) failures.attempt("t" + i, "key_a")).succeeded();
            most = Math.max(most, failures.tracked());
        }
        assertThat(most).isLessThanOrEqualTo(SplitKeyFailures.SWEEP_AT + 2);
        fail("t_bad", "key_bad");
        fail("t_bad", "key_bad");
        assertThat(failures.check("t_bad", "key_bad"))
                .as("a bucket with failures survives sweeps")
                .isNotNull();
    }

    private SplitKeyFailures.Tripped fail(String tenant, String keyId) {
        SplitKeyFailures.Admission admission = failures.attempt(tenant, keyId);
        assertThat(admission).isInstanceOf(SplitKeyFailures.Attempt.class);
        return ((SplitKeyFailures.Attempt) admission).failed();
    }
}
