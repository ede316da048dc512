package dev.symbolon.edge.feeds;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.auth.AppDirectory;
import dev.symbolon.support.kafka.TopicFeed;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Reads {@code tenant-config.v1} from the beginning into the {@link AppDirectory}, then follows it.
 * Until it has caught up, the edge reports itself not ready, so it never serves with a partial view.
 */
@Component("tenantConfig")
class TenantConfigFeed implements SmartLifecycle, HealthIndicator {

    private final AppDirectory directory;
    private final TopicFeed feed;

    TenantConfigFeed(AppDirectory directory, KafkaProperties kafka) {
        this.directory = directory;
        this.feed = new TopicFeed("edge", Topics.TENANT_CONFIG, true, kafka.buildConsumerProperties(), this::apply);
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            directory.remove(record.key());
        } else {
            directory.apply(EventJson.decode(record.value(), TenantConfigSnapshot.class));
        }
    }

    @Override
    public Health health() {
        return feed.caughtUp()
                ? Health.up().withDetail("tenants", directory.tenantCount()).build()
                : Health.down().withDetail("reason", "reading tenant-config.v1").build();
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
