package dev.symbolon.support.kafka;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/**
 * Every tenant's latest snapshot from {@code tenant-config.v1} (compacted, read from the beginning; an
 * older revision never replaces a newer one), for a service that must not consume anything until it
 * knows every tenant: its Kafka listeners, declared with {@code autoStartup = "false"}, are started once
 * the view has caught up (usage ingest in analytics, so no fact lands in a period of the wrong time
 * zone; notifications in the dispatcher, so none is fanned out against half a subscription list).
 */
public abstract class TenantConfigView extends FollowedTopic {

    private static final Logger log = LoggerFactory.getLogger(TenantConfigView.class);

    private final Map<String, TenantConfigSnapshot> tenants = new ConcurrentHashMap<>();
    private final KafkaListenerEndpointRegistry listeners;
    private final String startsWhat;

    /**
     * @param owner the service, for the Kafka client id
     * @param startsWhat what starts once caught up, for the log line (e.g. "usage ingest starts")
     */
    protected TenantConfigView(
            String owner,
            Map<String, Object> consumerProperties,
            KafkaListenerEndpointRegistry listeners,
            String startsWhat) {
        super(owner, Topics.TENANT_CONFIG, consumerProperties);
        this.listeners = listeners;
        this.startsWhat = startsWhat;
    }

    /** A tenant's latest snapshot, or null when none was published (or it was deleted). */
    protected TenantConfigSnapshot tenant(String tenantId) {
        return tenantId == null ? null : tenants.get(tenantId);
    }

    @Override
    protected void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            tenants.remove(record.key());
            return;
        }
        TenantConfigSnapshot snapshot = EventJson.decode(record.value(), TenantConfigSnapshot.class);
        tenants.merge(snapshot.tenantId(), snapshot, (held, next) -> next.revision() >= held.revision() ? next : held);
    }

    @Override
    protected void caughtUpNow() {
        log.info("{} caught up ({} tenants); {}", Topics.TENANT_CONFIG, tenants.size(), startsWhat);
        listeners.getListenerContainers().forEach(container -> {
            if (!container.isRunning()) {
                container.start();
            }
        });
    }

    @Override
    protected Health.Builder up(Health.Builder health) {
        return health.withDetail("tenants", tenants.size());
    }

    /** Before the listener containers, which it starts when caught up. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }
}
