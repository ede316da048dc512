package dev.symbolon.edge.feeds;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.PriceList;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.pricing.PriceBook;
import dev.symbolon.support.kafka.FollowedTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

/**
 * Reads {@code prices.v1} from the beginning into the {@link PriceBook}, then follows it. The edge is
 * ready only once it has caught up: before that it could not reserve a request's cost.
 */
@Component("prices")
class PriceFeed extends FollowedTopic {

    private final PriceBook prices;

    PriceFeed(PriceBook prices, KafkaProperties kafka) {
        super("edge", Topics.PRICES, kafka.buildConsumerProperties());
        this.prices = prices;
    }

    @Override
    protected void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() != null) {
            prices.apply(EventJson.decode(record.value(), PriceList.class));
        }
    }
}
