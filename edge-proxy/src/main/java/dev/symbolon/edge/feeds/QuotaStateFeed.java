package dev.symbolon.edge.feeds;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.limits.Quotas;
import dev.symbolon.support.kafka.TopicFeed;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Reads {@code quota-state.v1} from the beginning into {@link Quotas}, then follows it. Until it has
 * caught up the edge reports itself not ready: a restarted edge must not let an exhausted tenant
 * through while it is still reading.
 */
@Component("quotaState")
class QuotaStateFeed implements SmartLifecycle, HealthIndicator {

    private final TopicFeed feed;

    QuotaStateFeed(Quotas quotas, KafkaProperties kafka) {
        this.feed = new TopicFeed("edge", Topics.QUOTA_STATE, true, kafka.buildConsumerProperties(), record -> {
            if (record.value() != null) {
                quotas.apply(EventJson.decode(record.value(), QuotaState.class));
            }
        });
    }

    @Override
    public Health health() {
        return feed.caughtUp()
                ? Health.up().build()
                : Health.down().withDetail("reason", "reading quota-state.v1").build();
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
