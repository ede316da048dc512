package dev.symbolon.webhooks.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The dispatcher's meters: {@code symbolon.webhooks.attempts} by outcome ({@code delivered}, {@code
 * retry}, {@code dead}, {@code disabled}), {@code symbolon.webhooks.attempt.duration} by result (the
 * receiver's status class, or {@code error} when it answered nothing), and, counted at most every
 * {@value #REFRESH_SECONDS} s, the retry backlog ({@code symbolon.webhooks.pending}, of which {@code
 * .retrying} have failed before), the age of the oldest due delivery ({@code
 * symbolon.webhooks.oldest.due.age}) and the endpoints {@code symbolon.webhooks.endpoints} by state
 * ({@code disabled}, {@code failing}). No tenant, endpoint or URL in any label.
 */
@Component
class DeliveryMeters {

    static final int REFRESH_SECONDS = 5;

    private final JdbcTemplate jdbc;
    private final Map<Deliveries.Next, Counter> attempts = new EnumMap<>(Deliveries.Next.class);
    private final Map<String, Timer> durations = new java.util.HashMap<>();
    private volatile long pending = -1;
    private volatile long retrying = -1;
    private volatile double oldestDueSeconds;
    private volatile long disabled = -1;
    private volatile long failing = -1;
    private volatile long lastRefreshNanos =
            System.nanoTime() - Duration.ofSeconds(REFRESH_SECONDS).toNanos();

    DeliveryMeters(MeterRegistry registry, JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        Map<Deliveries.Next, String> names = Map.of(
                Deliveries.Next.DONE, "delivered",
                Deliveries.Next.RETRY, "retry",
                Deliveries.Next.DEAD, "dead",
                Deliveries.Next.DISABLED, "disabled");
        names.forEach((next, outcome) -> attempts.put(
                next,
                Counter.builder("symbolon.webhooks.attempts")
                        .description("Delivery attempts, by what came of them")
                        .tag("outcome", outcome)
                        .register(registry)));
        for (String result : new String[] {"2xx", "3xx", "4xx", "5xx", "error"}) {
            durations.put(
                    result,
                    Timer.builder("symbolon.webhooks.attempt.duration")
                            .description("Delivery attempts from signing to the receiver's answer, by result")
                            .tag("result", result)
                            .serviceLevelObjectives(
                                    Duration.ofMillis(10),
                                    Duration.ofMillis(50),
                                    Duration.ofMillis(100),
                                    Duration.ofMillis(250),
                                    Duration.ofMillis(500),
                                    Duration.ofSeconds(1),
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(5),
                                    Duration.ofSeconds(10))
                            .register(registry));
        }
        Gauge.builder("symbolon.webhooks.pending", this, m -> m.pending)
                .description("Deliveries waiting for an attempt (-1 until first counted)")
                .register(registry);
        Gauge.builder("symbolon.webhooks.retrying", this, m -> m.retrying)
                .description("Pending deliveries whose earlier attempts failed: the retry backlog")
                .register(registry);
        Gauge.builder("symbolon.webhooks.oldest.due.age", this, m -> m.oldestDueSeconds)
                .description("How long the longest-overdue pending delivery has been due")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("symbolon.webhooks.endpoints", this, m -> m.disabled)
                .description("Endpoints by state")
                .tag("state", "disabled")
                .register(registry);
        Gauge.builder("symbolon.webhooks.endpoints", this, m -> m.failing)
                .description("Endpoints by state")
                .tag("state", "failing")
                .register(registry);
    }

    /** One attempt and what came of it; {@code status} null when the receiver answered nothing. */
    void attempted(Deliveries.Next next, Integer status, long nanos) {
        attempts.get(next).increment();
        String result = status == null || status < 200 || status > 599 ? "error" : (status / 100) + "xx";
        durations.get(result).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Recounts the backlog and the endpoints' states, at most every few seconds. */
    void refreshNowAndThen() {
        if (System.nanoTime() - lastRefreshNanos
                < Duration.ofSeconds(REFRESH_SECONDS).toNanos()) {
            return;
        }
        lastRefreshNanos = System.nanoTime();
        refresh();
    }

    void refresh() {
        jdbc.query(
                "select count(*), count(*) filter (where attempts > 0),"
                        + " coalesce(extract(epoch from now() - min(next_attempt_at)), 0)"
                        + " from delivery where status = 'PENDING'",
                rs -> {
                    pending = rs.getLong(1);
                    retrying = rs.getLong(2);
                    oldestDueSeconds = Math.max(0, rs.getDouble(3));
                });
        jdbc.query(
                "select count(*) filter (where disabled_reason is not null),"
                        + " count(*) filter (where failing and disabled_reason is null) from endpoint_state",
                rs -> {
                    disabled = rs.getLong(1);
                    failing = rs.getLong(2);
                });
    }
}
