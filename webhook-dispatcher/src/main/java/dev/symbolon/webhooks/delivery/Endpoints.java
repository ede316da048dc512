package dev.symbolon.webhooks.delivery;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.stereotype.Component;

/**
 * Every tenant's webhook endpoints and subscriptions, read from {@code tenant-config.v1} (compacted)
 * from the beginning into memory. Notifications are consumed only once this has caught up, so none is
 * fanned out against an incomplete list.
 */
@Component
public class Endpoints implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Endpoints.class);

    private final Map<String, TenantConfigSnapshot> tenants = new ConcurrentHashMap<>();
    private final Map<String, Object> config;
    private final KafkaListenerEndpointRegistry listeners;
    private volatile boolean running;
    private volatile boolean caughtUp;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    Endpoints(KafkaProperties kafka, KafkaListenerEndpointRegistry listeners) {
        this.config = new HashMap<>(kafka.buildConsumerProperties());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "dispatcher-tenant-config");
        this.listeners = listeners;
    }

    /** The active endpoints of a tenant subscribed to an event type. */
    public List<TenantConfigSnapshot.WebhookEndpoint> subscribed(String tenantId, String type) {
        TenantConfigSnapshot tenant = tenants.get(tenantId);
        if (tenant == null || tenant.status() != TenantConfigSnapshot.Status.ACTIVE) {
            return List.of();
        }
        return tenant.webhooks().stream()
                .filter(TenantConfigSnapshot.WebhookEndpoint::active)
                .filter(e -> e.eventTypes().contains(type) || e.eventTypes().contains("*"))
                .toList();
    }

    /** One endpoint of a tenant, whatever it subscribes to (for test pings). */
    public java.util.Optional<TenantConfigSnapshot.WebhookEndpoint> find(String tenantId, String endpointId) {
        TenantConfigSnapshot tenant = tenants.get(tenantId);
        return tenant == null
                ? java.util.Optional.empty()
                : tenant.webhooks().stream()
                        .filter(e -> e.endpointId().equals(endpointId))
                        .findFirst();
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::run, "dispatcher-tenant-config");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }

    private void run() {
        Properties properties = new Properties();
        properties.putAll(config);
        while (running) {
            try (KafkaConsumer<String, byte[]> kafka =
                    new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = kafka;
                follow(kafka);
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("tenant-config feed interrupted, reconnecting: {}", e.toString());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void follow(KafkaConsumer<String, byte[]> kafka) {
        List<TopicPartition> partitions = kafka.partitionsFor(Topics.TENANT_CONFIG, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        kafka.assign(partitions);
        kafka.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = kafka.endOffsets(partitions, Duration.ofSeconds(30));
        while (running) {
            for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(200))) {
                apply(record);
            }
            if (!caughtUp && end.entrySet().stream().allMatch(e -> kafka.position(e.getKey()) >= e.getValue())) {
                caughtUp = true;
                log.info("tenant-config.v1 caught up ({} tenants); notifications are consumed", tenants.size());
                listeners.getListenerContainers().forEach(container -> {
                    if (!container.isRunning()) {
                        container.start();
                    }
                });
            }
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            tenants.remove(record.key());
            return;
        }
        try {
            TenantConfigSnapshot snapshot = EventJson.decode(record.value(), TenantConfigSnapshot.class);
            tenants.merge(
                    snapshot.tenantId(), snapshot, (held, next) -> next.revision() >= held.revision() ? next : held);
        } catch (RuntimeException e) {
            log.error(
                    "skipping tenant-config {}@{}: {}",
                    record.partition(),
                    record.offset(),
                    e.getClass().getSimpleName());
        }
    }
}
