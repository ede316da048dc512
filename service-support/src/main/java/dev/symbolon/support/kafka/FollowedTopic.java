package dev.symbolon.support.kafka;

import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A compacted topic an instance reads from the beginning into a view of its own and then follows
 * ({@link TopicFollower}), started and stopped with the application, and healthy (part of readiness) only
 * once it has caught up: a service must not answer from half a view.
 */
public abstract class FollowedTopic extends TopicFollower implements HealthIndicator {

    private final String topic;

    /** @param owner who follows (a service name), for the Kafka client id */
    protected FollowedTopic(String owner, String topic, Map<String, Object> consumerProperties) {
        super(owner, topic, true, consumerProperties);
        this.topic = topic;
        feed().whenCaughtUp(this::caughtUpNow);
    }

    /** Called once, on the feed's thread, when the view first holds every record that existed at start. */
    protected void caughtUpNow() {}

    /** Details for the health of a view that has caught up (none by default). */
    protected Health.Builder up(Health.Builder health) {
        return health;
    }

    /** Whether every record that existed at start-up has been read. */
    public boolean caughtUp() {
        return feed().caughtUp();
    }

    private String behind() {
        long lag = feed().lag();
        return lag < 0 ? "reading " + topic : "reading " + topic + ", " + lag + " records behind";
    }

    @Override
    public Health health() {
        return caughtUp()
                ? up(Health.up()).build()
                : Health.down().withDetail("reason", behind()).build();
    }
}
