package dev.symbolon.edge.feeds;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.auth.AppDirectory;
import dev.symbolon.support.kafka.FollowedTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

/**
 * Reads {@code tenant-config.v1} from the beginning into the {@link AppDirectory}, then follows it.
 * Until it has caught up, the edge reports itself not ready, so it never serves with a partial view.
 */
@Component("tenantConfig")
class TenantConfigFeed extends FollowedTopic {

    private final AppDirectory directory;

    TenantConfigFeed(AppDirectory directory, KafkaProperties kafka) {
        super("edge", Topics.TENANT_CONFIG, kafka.buildConsumerProperties());
        this.directory = directory;
    }

    @Override
    protected void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            directory.remove(record.key());
        } else {
            directory.apply(EventJson.decode(record.value(), TenantConfigSnapshot.class));
        }
    }

    @Override
    protected Health.Builder up(Health.Builder health) {
        return health.withDetail("tenants", directory.tenantCount());
    }
}
