package dev.symbolon.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BreakerTest {

    private static final long S = 1_000_000_000L;

    private final Breaker breaker = new Breaker(3, Duration.ofSeconds(30), Duration.ofMinutes(5));

    @Test
    void three_failures_in_a_row_open_it_for_the_cooldown_and_a_success_in_between_starts_the_count_again() {
        assertThat(breaker.failed(0)).isFalse();
        assertThat(breaker.failed(1)).isFalse();
        breaker.succeeded();
        assertThat(breaker.failed(2)).isFalse();
        assertThat(breaker.failed(3)).isFalse();
        assertThat(breaker.tryAcquire(4)).isTrue();

        assertThat(breaker.failed(5)).as("the third in a row").isTrue();

        assertThat(breaker.state()).isEqualTo(Breaker.State.OPEN);
        assertThat(breaker.reason()).isEqualTo(Breaker.Reason.FAILING);
        assertThat(breaker.tryAcquire(5 + 29 * S)).isFalse();
    }

    @Test
    void after_the_cooldown_one_probe_goes_through_and_its_success_closes_it() {
        open();
        long due = 30 * S;

        assertThat(breaker.tryAcquire(due)).as("the probe").isTrue();
        assertThat(breaker.state()).isEqualTo(Breaker.State.HALF_OPEN);
        assertThat(breaker.tryAcquire(due + 1))
                .as("others wait for the probe's answer")
                .isFalse();

        breaker.succeeded();

        assertThat(breaker.state()).isEqualTo(Breaker.State.CLOSED);
        assertThat(breaker.tryAcquire(due + 2)).isTrue();
        assertThat(breaker.failed(due + 3))
                .as("the count starts again from zero")
                .isFalse();
    }

    @Test
    void a_failed_probe_opens_it_again_for_twice_as_long_up_to_the_longest_cooldown() {
        open();
        long now = 30 * S;
        long[] expected = {60, 120, 240, 300, 300};
        for (long seconds : expected) {
            assertThat(breaker.tryAcquire(now)).isTrue();
            assertThat(breaker.failed(now)).isTrue();
            assertThat(breaker.tryAcquire(now + seconds * S - 1))
                    .as("still open before %d s", seconds)
                    .isFalse();
            now += seconds * S;
        }
    }

    @Test
    void a_probe_whose_answer_never_came_is_replaced_after_a_cooldown() {
        open();
        assertThat(breaker.tryAcquire(30 * S)).isTrue();

        assertThat(breaker.tryAcquire(59 * S)).isFalse();
        assertThat(breaker.tryAcquire(60 * S)).as("a new probe").isTrue();
    }

    @Test
    void a_429_opens_it_at_once_until_the_providers_reset_capped_at_the_longest_cooldown() {
        assertThat(breaker.rateLimited(0, Duration.ofSeconds(7), Duration.ofSeconds(10)))
                .isTrue();
        assertThat(breaker.reason()).isEqualTo(Breaker.Reason.RATE_LIMITED);
        assertThat(breaker.tryAcquire(7 * S - 1)).isFalse();
        assertThat(breaker.tryAcquire(7 * S)).isTrue();
        breaker.succeeded();

        assertThat(breaker.rateLimited(10 * S, null, Duration.ofSeconds(10)))
                .as("no reset: the fallback")
                .isTrue();
        assertThat(breaker.tryAcquire(20 * S - 1)).isFalse();
        assertThat(breaker.tryAcquire(20 * S)).isTrue();
        breaker.succeeded();

        breaker.rateLimited(30 * S, Duration.ofDays(1), Duration.ofSeconds(10));
        assertThat(breaker.tryAcquire(30 * S + 300 * S))
                .as("capped at 5 minutes")
                .isTrue();
    }

    @Test
    void a_late_answer_never_shortens_an_open_breaker() {
        breaker.rateLimited(0, Duration.ofSeconds(60), Duration.ofSeconds(10));

        assertThat(breaker.rateLimited(1 * S, Duration.ofSeconds(5), Duration.ofSeconds(10)))
                .as("already open")
                .isFalse();

        assertThat(breaker.tryAcquire(59 * S)).isFalse();
        assertThat(breaker.tryAcquire(60 * S)).isTrue();
    }

    private void open() {
        breaker.failed(0);
        breaker.failed(0);
        assertThat(breaker.failed(0)).isTrue();
    }
}
