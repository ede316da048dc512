package dev.symbolon.edge.keys;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Notification;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.events.SideEvents;
import dev.symbolon.edge.routing.KeyHealth;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Tells a key's owner, through {@code notification.v1} (the dispatcher's webhooks), that one of its
 * provider keys stays unhealthy: {@code key.cooled_down}, once per episode in which the key was left
 * alone a second time in a row ({@link KeyHealth}). The owner is the tenant of a managed or split key,
 * {@code _platform} for the operator's server keys. Every edge sees its own episodes; the notice's id
 * is derived from the key and the five minutes it falls in, so the dispatcher (one delivery per id and
 * endpoint) delivers it once however many edges saw the same episode. Never key material.
 */
@Component
class KeyCooldownNotices {

    static final String TYPE = "key.cooled_down";

    private static final long WINDOW_SECONDS = 300;

    private final SideEvents events;

    KeyCooldownNotices(KeyHealth health, SideEvents events) {
        this.events = events;
        health.whenUnhealthy(this::send);
    }

    private void send(KeyHealth.Unhealthy unhealthy) {
        Instant now = Instant.now();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("keyId", unhealthy.key().keyId());
        data.put("provider", unhealthy.key().provider());
        data.put("kind", unhealthy.key().kind());
        data.put("reason", unhealthy.reason());
        data.put("cooldownSeconds", Math.max(1, unhealthy.cooldown().toSeconds()));
        String owner = unhealthy.key().owner();
        UUID id = UUID.nameUUIDFromBytes(
                (TYPE + '|' + unhealthy.key().keyId() + '|' + now.getEpochSecond() / WINDOW_SECONDS)
                        .getBytes(StandardCharsets.UTF_8));
        Notification notice = new Notification(id, now, owner, Notification.CURRENT_VERSION, TYPE, data);
        events.send(Topics.NOTIFICATION, owner, EventJson.encode(notice), "a key.cooled_down notice");
    }
}
