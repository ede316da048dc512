package dev.symbolon.edge.feeds;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.keys.ProviderKeys;
import dev.symbolon.edge.routing.KeyHealth;
import dev.symbolon.support.kafka.TopicFollower;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

/**
 * Hears {@code key-lifecycle.v1} from now on and drops the affected key from this edge's cache, so a
 * rotated or revoked key (server or tenant) stops being used at once rather than when its cache entry
 * expires, and a created server key joins its pool at once; a rotated or revoked key's health is
 * forgotten (a new version is a new key at the provider).
 */
@Component
class KeyLifecycleFeed extends TopicFollower {

    private final ProviderKeys keys;

    private final KeyHealth health;

    KeyLifecycleFeed(ProviderKeys keys, KeyHealth health, KafkaProperties kafka) {
        super("edge", Topics.KEY_LIFECYCLE, false, kafka.buildConsumerProperties());
        this.keys = keys;
        this.health = health;
    }

    @Override
    protected void apply(ConsumerRecord<String, byte[]> record) {
        KeyLifecycleEvent event = EventJson.decode(record.value(), KeyLifecycleEvent.class);
        keys.evictKey(event.keyId());
        if (event.action() == KeyLifecycleEvent.Action.ROTATED || event.action() == KeyLifecycleEvent.Action.REVOKED) {
            health.forget(event.keyId());
        }
        if (event.kind() == null || event.kind() == KeyLifecycleEvent.KeyKind.SERVER) {
            keys.evictServerKeys(event.provider());
        }
        if (event.kind() == null || event.kind() == KeyLifecycleEvent.KeyKind.MANAGED) {
            keys.evictOwnPool(event.tenantId(), event.provider());
        }
    }
}
