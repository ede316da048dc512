package dev.symbolon.edge.feeds;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.limits.Quotas;
import dev.symbolon.support.kafka.FollowedTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

/**
 * Reads {@code quota-state.v1} from the beginning into {@link Quotas}, then follows it. Until it has
 * caught up the edge reports itself not ready: a restarted edge must not let an exhausted tenant
 * through while it is still reading.
 */
@Component("quotaState")
class QuotaStateFeed extends FollowedTopic {

    private final Quotas quotas;

    QuotaStateFeed(Quotas quotas, KafkaProperties kafka) {
        super("edge", Topics.QUOTA_STATE, kafka.buildConsumerProperties());
        this.quotas = quotas;
    }

    @Override
    protected void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() != null) {
            quotas.apply(EventJson.decode(record.value(), QuotaState.class));
        }
    }
}
