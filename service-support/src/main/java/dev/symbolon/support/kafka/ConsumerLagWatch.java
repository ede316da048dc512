package dev.symbolon.support.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Says in the log when a listener falls behind: every {@code interval}, each running listener's
 * largest partition lag (the consumer's own {@code records-lag-max}); above {@code threshold} a
 * warning names the listener and its lag, and a line says when it has caught up again. A consumer that
 * stops moving is never silent. The same reading is the meter {@code symbolon.kafka.consumer.lag} by
 * listener, topic and partition (the partitions the instance holds now).
 */
public class ConsumerLagWatch implements SmartLifecycle, MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLagWatch.class);

    private final KafkaListenerEndpointRegistry listeners;
    private final long threshold;
    private final Duration interval;
    private final Map<String, Boolean> behind = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;
    private volatile MultiGauge partitionLags;

    public ConsumerLagWatch(KafkaListenerEndpointRegistry listeners, long threshold, Duration interval) {
        this.listeners = listeners;
        this.threshold = threshold;
        this.interval = interval;
    }

    /** The largest lag of each running listener now (records), by listener id. */
    public Map<String, Long> lags() {
        Map<String, Long> lags = new java.util.TreeMap<>();
        for (MessageListenerContainer container : listeners.getListenerContainers()) {
            if (!container.isRunning()) {
                continue;
            }
            long max = -1;
            for (Map<MetricName, ? extends Metric> metrics : container.metrics().values()) {
                for (Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
                    if (metric.getKey().name().equals("records-lag-max")
                            && metric.getKey().tags().get("topic") == null
                            && metric.getValue().metricValue() instanceof Double value
                            && !value.isNaN()) {
                        max = Math.max(max, value.longValue());
                    }
                }
            }
            if (max >= 0) {
                lags.put(container.getListenerId(), max);
            }
        }
        return lags;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        partitionLags = MultiGauge.builder("symbolon.kafka.consumer.lag")
                .description("Records behind the end of each partition a listener holds, as of the last check")
                .baseUnit("records")
                .register(registry);
    }

    /** The lag of each partition each running listener holds now (the consumer's own {@code records-lag}). */
    List<MultiGauge.Row<?>> partitionRows() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (MessageListenerContainer container : listeners.getListenerContainers()) {
            if (!container.isRunning()) {
                continue;
            }
            for (Map<MetricName, ? extends Metric> metrics : container.metrics().values()) {
                for (Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
                    Map<String, String> tags = metric.getKey().tags();
                    if (metric.getKey().name().equals("records-lag")
                            && tags.get("topic") != null
                            && tags.get("partition") != null
                            && metric.getValue().metricValue() instanceof Double value
                            && !value.isNaN()) {
                        rows.add(MultiGauge.Row.of(
                                Tags.of(
                                        "listener",
                                        container.getListenerId(),
                                        "topic",
                                        tags.get("topic"),
                                        "partition",
                                        tags.get("partition")),
                                value));
                    }
                }
            }
        }
        return rows;
    }

    void check() {
        try {
            MultiGauge gauges = partitionLags;
            if (gauges != null) {
                gauges.register(partitionRows(), true);
            }
            lags().forEach((listener, lag) -> {
                boolean wasBehind = behind.getOrDefault(listener, false);
                if (lag > threshold) {
                    log.warn("listener {} is {} records behind (warning above {})", listener, lag, threshold);
                    behind.put(listener, true);
                } else if (wasBehind) {
                    log.info("listener {} caught up ({} records behind)", listener, lag);
                    behind.put(listener, false);
                }
            });
        } catch (RuntimeException e) {
            log.debug("could not read consumer lag: {}", e.toString());
        }
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "consumer-lag-watch");
            thread.setDaemon(true);
            return thread;
        });
        // the first reading soon after start (the meter has no partitions until then), then every interval
        long first = Math.min(interval.toMillis(), 5_000);
        timer.scheduleWithFixedDelay(this::check, first, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return timer != null && !timer.isShutdown();
    }
}
