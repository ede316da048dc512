package dev.symbolon.edge.feeds;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.PriceList;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.pricing.PriceBook;
import dev.symbolon.support.kafka.TopicFeed;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Reads {@code prices.v1} from the beginning into the {@link PriceBook}, then follows it. The edge is
 * ready only once it has caught up: before that it could not reserve a request's cost.
 */
@Component("prices")
class PriceFeed implements SmartLifecycle, HealthIndicator {

    private final TopicFeed feed;

    PriceFeed(PriceBook prices, KafkaProperties kafka) {
        this.feed = new TopicFeed("edge", Topics.PRICES, true, kafka.buildConsumerProperties(), record -> {
            if (record.value() != null) {
                prices.apply(EventJson.decode(record.value(), PriceList.class));
            }
        });
    }

    @Override
    public Health health() {
        return feed.caughtUp()
                ? Health.up().build()
                : Health.down().withDetail("reason", "reading prices.v1").build();
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
