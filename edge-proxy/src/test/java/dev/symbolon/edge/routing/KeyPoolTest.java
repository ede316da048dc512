package dev.symbolon.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.symbolon.contracts.Secret;
import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.provider.Dialect;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

class KeyPoolTest {

    private final AtomicLong now = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final KeyHealth health = new KeyHealth(EdgeProperties.Routing.DEFAULTS, registry, now::get);

    private final ProviderKey a = key("key_a");
    private final ProviderKey b = key("key_b");
    private final ProviderKey c = key("key_c");

    @Test
    void over_one_cycle_each_key_gets_exactly_its_weight_interleaved() {
        KeyPool pool = KeyPool.of(List.of(a, b, c), List.of(5, 3, 2));

        Map<String, Integer> served = new HashMap<>();
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            ProviderKey key = pool.first(health);
            served.merge(key.keyId(), 1, Integer::sum);
            if (i < 10) {
                order.append(key.keyId().charAt(4));
            }
        }

        assertThat(served).containsExactlyInAnyOrderEntriesOf(Map.of("key_a", 500, "key_b", 300, "key_c", 200));
        assertThat(order.toString()).as("smooth: interleaved, not in runs").isEqualTo("abcaabacba");
    }

    @Test
    void a_cooling_key_is_skipped_and_its_share_goes_to_the_others_in_proportion() {
        KeyPool pool = KeyPool.of(List.of(a, b, c), List.of(5, 3, 2));
        health.answered(a, Dialect.OPENAI, 429, retryAfter(60));

        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            served.merge(pool.first(health).keyId(), 1, Integer::sum);
        }

        assertThat(served).doesNotContainKey("key_a");
        assertThat(served.get("key_b")).isBetween(580, 620);
        assertThat(served.get("key_c")).isBetween(380, 420);
        assertThat(registry.get("symbolon.edge.keys.cooling")
                        .tag("provider", "openai")
                        .gauge()
                        .value())
                .isEqualTo(1);
        assertThat(registry.get("symbolon.edge.key.cooldowns")
                        .tags("provider", "openai", "reason", "rate_limited")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void when_every_key_is_cooling_the_first_attempt_goes_to_the_one_that_recovers_first() {
        KeyPool pool = KeyPool.of(List.of(a, b), List.of(1, 1));
        health.answered(a, Dialect.OPENAI, 429, retryAfter(60));
        health.answered(b, Dialect.OPENAI, 429, retryAfter(20));

        assertThat(pool.first(health)).isEqualTo(b);
        assertThat(pool.next(health, List.of("key_b")))
                .as("a fail-over never goes to a cooling key")
                .isNull();
    }

    @Test
    void a_fail_over_goes_to_a_healthy_key_not_tried_yet_and_none_is_left_after_every_one() {
        KeyPool pool = KeyPool.of(List.of(a, b, c), List.of(1, 1, 1));

        assertThat(pool.next(health, List.of("key_a", "key_b"))).isEqualTo(c);
        assertThat(pool.next(health, List.of("key_a", "key_b", "key_c"))).isNull();
        assertThat(KeyPool.single(a).next(health, List.of("key_a"))).isNull();
        assertThat(KeyPool.single(a).next(health, List.of("key_b")))
                .as("a fallback target's only key")
                .isEqualTo(a);
    }

    @Test
    void a_cooled_key_comes_back_through_one_probe() {
        KeyPool pool = KeyPool.of(List.of(a, b), List.of(1, 1));
        health.answered(a, Dialect.OPENAI, 503, new HttpHeaders());
        health.answered(a, Dialect.OPENAI, 503, new HttpHeaders());
        health.answered(a, Dialect.OPENAI, 503, new HttpHeaders());
        assertThat(health.cooling(a)).isTrue();
        assertThat(pool.first(health)).isEqualTo(b);
        assertThat(pool.first(health)).isEqualTo(b);

        now.addAndGet(Duration.ofSeconds(30).toNanos());
        ProviderKey probe = pool.first(health);
        ProviderKey meanwhile = pool.first(health);

        assertThat(List.of(probe, meanwhile)).containsExactlyInAnyOrder(a, b);
        health.answered(a, Dialect.OPENAI, 200, new HttpHeaders());
        assertThat(health.cooling(a)).isFalse();
        assertThat(List.of(pool.first(health), pool.first(health))).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void weights_and_sizes_out_of_range_are_refused() {
        assertThatThrownBy(() -> KeyPool.of(List.of(a), List.of(0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyPool.of(List.of(a), List.of(101))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyPool.of(List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static HttpHeaders retryAfter(int seconds) {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Integer.toString(seconds));
        return headers;
    }

    private static ProviderKey key(String id) {
        return new ProviderKey(id, "openai", "server", 1, Secret.of("sk-" + id), "_platform");
    }
}
