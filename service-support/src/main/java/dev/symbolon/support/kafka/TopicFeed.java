package dev.symbolon.support.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every partition of one topic on a thread of its own, without a consumer group: each
 * instance needs every record, not a share of them (an edge's views, every service's view of revoked
 * admin keys). Starts at the beginning (to rebuild a compacted view) or at
 * the end (to hear only what happens from now on), and knows when it has caught up with the end
 * offsets it found at start. Reconnects after failures, and waits for a topic that does not exist yet
 * (another service may create it later) instead of reporting an empty topic as caught up.
 */
public final class TopicFeed {

    private static final Logger log = LoggerFactory.getLogger(TopicFeed.class);

    private final String topic;
    private final boolean fromBeginning;
    private final Consumer<ConsumerRecord<String, byte[]>> handler;
    private final Map<String, Object> config;
    private volatile boolean running;
    private volatile boolean caughtUp;
    /** Records behind the end of the topic at the last poll, over all partitions; -1 until known. */
    private volatile long lag = -1;

    private volatile Runnable onCaughtUp = () -> {};
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    /** @param owner who follows (a service name), for the Kafka client id */
    public TopicFeed(
            String owner,
            String topic,
            boolean fromBeginning,
            Map<String, Object> kafkaConsumerProperties,
            Consumer<ConsumerRecord<String, byte[]>> handler) {
        this.topic = topic;
        this.fromBeginning = fromBeginning;
        this.handler = handler;
        this.config = new HashMap<>(kafkaConsumerProperties);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, owner + "-" + topic);
    }

    /** Runs once, on the feed's thread, when the feed first catches up (set before {@link #start()}). */
    public TopicFeed whenCaughtUp(Runnable action) {
        this.onCaughtUp = action;
        return this;
    }

    public void start() {
        running = true;
        thread = new Thread(this::run, "feed-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean running() {
        return running;
    }

    /** Whether every record that existed when the feed started has been handled. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Records on the topic not handled yet, as of the last poll (all partitions); -1 while unknown. */
    public long lag() {
        return lag;
    }

    public String topic() {
        return topic;
    }

    private void run() {
        Properties properties = new Properties();
        properties.putAll(config);
        while (running) {
            try (KafkaConsumer<String, byte[]> kafka =
                    new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = kafka;
                follow(kafka);
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("{} feed interrupted, reconnecting: {}", topic, e.toString());
                pause();
            }
        }
    }

    private void follow(KafkaConsumer<String, byte[]> kafka) {
        List<TopicPartition> partitions = kafka.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        if (partitions.isEmpty()) {
            log.info("{} does not exist yet; waiting for it", topic);
            pause();
            return;
        }
        kafka.assign(partitions);
        if (fromBeginning) {
            kafka.seekToBeginning(partitions);
        } else {
            kafka.seekToEnd(partitions);
        }
        Map<TopicPartition, Long> end = kafka.endOffsets(partitions, Duration.ofSeconds(30));
        while (running) {
            for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(200))) {
                try {
                    handler.accept(record);
                } catch (RuntimeException e) {
                    log.error(
                            "skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
                }
            }
            lag = lag(kafka, partitions);
            if (!caughtUp && end.entrySet().stream().allMatch(e -> kafka.position(e.getKey()) >= e.getValue())) {
                caughtUp = true;
                onCaughtUp.run();
            }
        }
    }

    /** The consumer's own view of the lag (from its last fetch; no call to the broker); -1 while unknown. */
    private static long lag(KafkaConsumer<String, byte[]> kafka, List<TopicPartition> partitions) {
        long total = 0;
        for (TopicPartition partition : partitions) {
            java.util.OptionalLong behind = kafka.currentLag(partition);
            if (behind.isEmpty()) {
                return -1;
            }
            total += behind.getAsLong();
        }
        return total;
    }

    private void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
