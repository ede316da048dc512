package dev.symbolon.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.provider.ProviderRoutesTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailoverTest {

    private static final long S = 1_000_000_000L;

    private final Failover failover = new Failover(ProviderRoutesTest.properties(
            Map.of(),
            Map.of(),
            Map.of(),
            new EdgeProperties.Routing(
                    3,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(10),
                    List.of(429, 503),
                    true,
                    3,
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(10),
                    Duration.ofMinutes(5))));

    @Test
    void attempts_are_bounded_by_their_number_and_by_the_deadline() {
        long now = System.nanoTime();

        assertThat(failover.mayRetry(1, now)).isTrue();
        assertThat(failover.mayRetry(2, now)).isTrue();
        assertThat(failover.mayRetry(3, now)).as("three calls made").isFalse();
        assertThat(failover.mayRetry(1, now - 11 * S))
                .as("past the 10 s deadline")
                .isFalse();
    }

    @Test
    void an_attempt_waits_its_timeout_but_never_beyond_the_deadline() {
        long now = System.nanoTime();

        assertThat(failover.attemptWait(now)).isBetween(Duration.ofMillis(1_900), Duration.ofSeconds(2));
        assertThat(failover.attemptWait(now - 9 * S)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(1));
        assertThat(failover.attemptWait(now - 20 * S))
                .as("at least a millisecond")
                .isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void only_the_configured_statuses_and_timeouts_move_a_request_on() {
        assertThat(failover.onStatus(429)).isTrue();
        assertThat(failover.onStatus(503)).isTrue();
        assertThat(failover.onStatus(500)).as("not configured here").isFalse();
        assertThat(failover.onStatus(400)).isFalse();
        assertThat(failover.onFailure("upstream_timeout")).isTrue();
        assertThat(failover.onFailure("upstream_error")).isFalse();
    }
}
