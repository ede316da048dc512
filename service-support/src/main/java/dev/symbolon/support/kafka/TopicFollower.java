package dev.symbolon.support.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.context.SmartLifecycle;

/**
 * A topic an instance follows on its own ({@link TopicFeed}: every partition, no consumer group),
 * from the beginning or from now on, started and stopped with the application. {@link FollowedTopic}
 * adds the view's health for a compacted topic read from the beginning. Its meters, by topic: {@code
 * symbolon.feed.lag} (records not read yet; -1 while unknown) and {@code symbolon.feed.caught.up} (1 once
 * everything that existed at start has been read).
 */
public abstract class TopicFollower implements SmartLifecycle, MeterBinder {

    private final TopicFeed feed;

    /**
     * @param owner who follows (a service name), for the Kafka client id
     * @param fromBeginning read what the topic holds first (a view), or only what comes from now on (a signal)
     */
    protected TopicFollower(String owner, String topic, boolean fromBeginning, Map<String, Object> consumerProperties) {
        this.feed = new TopicFeed(owner, topic, fromBeginning, consumerProperties, this::apply);
    }

    /** Applies one record (a null value is a tombstone); runs on the feed's thread. */
    protected abstract void apply(ConsumerRecord<String, byte[]> record);

    /** The feed, for what a subclass adds (its caught-up hook, its state). */
    protected final TopicFeed feed() {
        return feed;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("symbolon.feed.lag", feed, TopicFeed::lag)
                .description("Records of the followed topic not read yet (all partitions; -1 while unknown)")
                .baseUnit("records")
                .tag("topic", feed.topic())
                .register(registry);
        Gauge.builder("symbolon.feed.caught.up", feed, f -> f.caughtUp() ? 1 : 0)
                .description("1 once every record the topic held at start has been read")
                .tag("topic", feed.topic())
                .register(registry);
    }

    @Override
    public void start() {
        feed.start();
    }

    @Override
    public void stop() {
        feed.stop();
    }

    @Override
    public boolean isRunning() {
        return feed.running();
    }
}
