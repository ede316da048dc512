package dev.symbolon.keyvault.serverkeys;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.Topics;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Sends {@code key-lifecycle.v1} events, keyed by key id. Never carries key material. */
@Component
class KeyLifecyclePublisher {

    private final KafkaTemplate<String, byte[]> kafka;

    KeyLifecyclePublisher(KafkaTemplate<String, byte[]> kafka) {
        this.kafka = kafka;
    }

    void publish(ProviderKeyEntity key, KeyLifecycleEvent.Action action, Instant at) {
        KeyLifecycleEvent event = new KeyLifecycleEvent(
                UUID.randomUUID(),
                at,
                key.tenantId(),
                KeyLifecycleEvent.CURRENT_VERSION,
                key.keyId(),
                key.provider(),
                key.kind(),
                key.keyVersion(),
                action,
                key.fingerprint(),
                null);
        try {
            kafka.send(Topics.KEY_LIFECYCLE, key.keyId(), EventJson.encode(event))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing a key event", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("key event for " + key.keyId() + " not published", e);
        }
    }
}
