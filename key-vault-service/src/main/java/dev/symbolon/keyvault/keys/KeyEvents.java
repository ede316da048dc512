package dev.symbolon.keyvault.keys;

import dev.symbolon.contracts.AuditEvent;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.Notification;
import dev.symbolon.contracts.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * What a key operation tells the rest of the system, none of it ever carrying key material:
 * {@code key-lifecycle.v1} (edges evict their cached copy), {@code audit.v1} (admin-api's log) and,
 * for a tenant's own keys, {@code notification.v1} (its webhooks).
 *
 * <p>The lifecycle event is sent synchronously: a revocation is answered only once every edge can hear
 * it.
 */
@Component
class KeyEvents {

    private final KafkaTemplate<String, byte[]> kafka;
    private final MeterRegistry registry;

    KeyEvents(KafkaTemplate<String, byte[]> kafka, MeterRegistry registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    /** Counted as {@code symbolon.keys.operations} by operation ({@code served}) and kind. */
    void served(ProviderKeyEntity key) {
        count("served", key);
    }

    private void count(String operation, ProviderKeyEntity key) {
        Counter.builder("symbolon.keys.operations")
                .description("Key operations, by operation (created, rotated, revoked, served) and kind")
                .tag("operation", operation)
                .tag("kind", key.kind().name().toLowerCase(java.util.Locale.ROOT))
                .register(registry)
                .increment();
    }

    /** A key operation by an actor: lifecycle event, audit entry and (tenant keys) notification. */
    void changed(ProviderKeyEntity key, KeyLifecycleEvent.Action action, Instant at, Instant graceUntil, Actor actor) {
        count(action.name().toLowerCase(java.util.Locale.ROOT), key);
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
                graceUntil);
        send(Topics.KEY_LIFECYCLE, key.keyId(), EventJson.encode(event));
        Map<String, String> details = new LinkedHashMap<>();
        details.put("provider", key.provider());
        details.put("kind", key.kind().name().toLowerCase());
        details.put("keyVersion", Integer.toString(key.keyVersion()));
        details.put("fingerprint", key.fingerprint());
        if (key.scopeTenantId() != null) {
            details.put("scopeTenantId", key.scopeTenantId());
        }
        if (graceUntil != null) {
            details.put("graceUntil", graceUntil.toString());
        }
        audit(key.tenantId(), "provider_key." + action.name().toLowerCase(), key.keyId(), at, actor, details);
        if (!KeyLifecycleEvent.PLATFORM_TENANT.equals(key.tenantId())) {
            Map<String, Object> data = new LinkedHashMap<>(details);
            data.put("keyId", key.keyId());
            notify(key.tenantId(), "key." + action.name().toLowerCase(), at, data);
        }
    }

    /** An operation that changes no key's meaning (a version retired after its grace, a re-wrap). */
    void audit(String tenantId, String action, String target, Instant at, Actor actor, Map<String, String> details) {
        AuditEvent event = new AuditEvent(
                UUID.randomUUID(),
                at,
                tenantId,
                AuditEvent.CURRENT_VERSION,
                actor.name(),
                actor.role(),
                action,
                target,
                "key-vault-service",
                actor.sourceIp(),
                actor.requestId(),
                details);
        kafka.send(Topics.AUDIT, tenantId, EventJson.encode(event));
    }

    private void notify(String tenantId, String type, Instant at, Map<String, Object> data) {
        Notification notification =
                new Notification(UUID.randomUUID(), at, tenantId, Notification.CURRENT_VERSION, type, data);
        kafka.send(Topics.NOTIFICATION, tenantId, EventJson.encode(notification));
    }

    private void send(String topic, String key, byte[] value) {
        try {
            kafka.send(topic, key, value).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing a key event", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("key event for " + key + " not published", e);
        }
    }
}
