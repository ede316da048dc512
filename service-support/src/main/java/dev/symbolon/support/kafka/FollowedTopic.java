package dev.symbolon.support.kafka;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;

/**
 * A compacted topic an instance reads from the beginning into a view of its own and then follows
 * ({@link TopicFeed}), started and stopped with the application, and healthy (part of readiness) only
 * once it has caught up: a service must not answer from half a view.
 */
public abstract class FollowedTopic implements SmartLifecycle, HealthIndicator {

    private final String topic;
    private final TopicFeed feed;

    /** @param owner who follows (a service name), for the Kafka client id */
    protected FollowedTopic(String owner, String topic, Map<String, Object> consumerProperties) {
        this.topic = topic;
        this.feed = new TopicFeed(owner, topic, true, consumerProperties, this::apply).whenCaughtUp(this::caughtUpNow);
    }

    /** Called once, on the feed's thread, when the view first holds every record that existed at start. */
    protected void caughtUpNow() {}

    /** Applies one record to the view (a null value is a tombstone); runs on the feed's thread. */
    protected abstract void apply(ConsumerRecord<String, byte[]> record);

    /** Details for the health of a view that has caught up (none by default). */
    protected Health.Builder up(Health.Builder health) {
        return health;
    }

    /** Whether every record that existed at start-up has been read. */
    public boolean caughtUp() {
        return feed.caughtUp();
    }

    @Override
    public Health health() {
        return caughtUp()
                ? up(Health.up()).build()
                : Health.down().withDetail("reason", "reading " + topic).build();
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
