package dev.symbolon.keyvault.webhooks;

import dev.symbolon.contracts.AuditEvent;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.Topics;
import dev.symbolon.keyvault.store.KeyFingerprint;
import dev.symbolon.keyvault.store.WrappedEntries;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Webhook signing secrets: key material, so they live in the key store like provider keys.
 * admin-api generates and stores them; webhook-dispatcher reads them to sign. An endpoint may hold
 * several versions at once, so a secret rotates while both still verify.
 */
@Service
public class WebhookSecrets {

    private static final Pattern ID = Pattern.compile("[a-z_]{1,8}[a-z0-9]{1,40}");
    private static final Pattern FORMAT = Pattern.compile("whsec_[A-Za-z0-9+/]{40,}={0,2}");

    private final WrappedEntries store;
    private final JdbcClient jdbc;
    private final KafkaTemplate<String, byte[]> kafka;

    WebhookSecrets(WrappedEntries store, JdbcClient jdbc, KafkaTemplate<String, byte[]> kafka) {
        this.store = store;
        this.jdbc = jdbc;
        this.kafka = kafka;
    }

    /** Stores one version of an endpoint's secret (replacing that version if it existed). */
    @Transactional
    public void store(String tenantId, String endpointId, int version, Secret secret, String caller) {
        requireIds(tenantId, endpointId, version);
        if (!FORMAT.matcher(secret.reveal()).matches()) {
            throw new IllegalArgumentException("a webhook secret is whsec_ followed by base64");
        }
        byte[] plain = secret.revealBytes();
        try {
            store.put(path(tenantId, endpointId), context(tenantId, endpointId), version, plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
        jdbc.sql("delete from webhook_secret where endpoint_id = :e and version = :v")
                .param("e", endpointId)
                .param("v", version)
                .update();
        jdbc.sql("insert into webhook_secret (tenant_id, endpoint_id, version, fingerprint, created_at)"
                        + " values (:t, :e, :v, :f, :now)")
                .param("t", tenantId)
                .param("e", endpointId)
                .param("v", version)
                .param("f", KeyFingerprint.of(secret))
                .param("now", Timestamp.from(Instant.now()))
                .update();
        audit(tenantId, endpointId, "webhook_secret.stored", caller, Map.of("version", Integer.toString(version)));
    }

    /** Every stored version of an endpoint's secret, newest first. */
    @Transactional(readOnly = true)
    public List<Version> versions(String tenantId, String endpointId) {
        List<Integer> listed = jdbc.sql("select version from webhook_secret where tenant_id = :t and endpoint_id = :e")
                .param("t", tenantId)
                .param("e", endpointId)
                .query(Integer.class)
                .list();
        if (listed.isEmpty()) {
            return List.of();
        }
        TreeMap<Integer, byte[]> opened = store.openAll(path(tenantId, endpointId), context(tenantId, endpointId));
        try {
            return opened.descendingMap().entrySet().stream()
                    .filter(v -> listed.contains(v.getKey()))
                    .map(v -> new Version(v.getKey(), Secret.of(new String(v.getValue(), StandardCharsets.UTF_8))))
                    .toList();
        } finally {
            opened.values().forEach(b -> Arrays.fill(b, (byte) 0));
        }
    }

    /** The store entries of every endpoint with a secret, for a re-wrap after a wrapping-key rotation. */
    public List<WrappedEntries.Location> entries() {
        return jdbc.sql("select distinct tenant_id, endpoint_id from webhook_secret")
                .query((rs, n) -> new WrappedEntries.Location(
                        path(rs.getString(1), rs.getString(2)), context(rs.getString(1), rs.getString(2))))
                .list();
    }

    /** Destroys one version, or all of them when {@code version} is null. */
    @Transactional
    public void destroy(String tenantId, String endpointId, Integer version, String caller) {
        List<Integer> versions = jdbc.sql("select version from webhook_secret where tenant_id = :t and endpoint_id = :e"
                        + (version == null ? "" : " and version = :v"))
                .param("t", tenantId)
                .param("e", endpointId)
                .param("v", version == null ? 0 : version)
                .query(Integer.class)
                .list();
        if (!versions.isEmpty()) {
            store.remove(
                    path(tenantId, endpointId),
                    versions.stream().mapToInt(Integer::intValue).toArray());
        }
        for (int v : versions) {
            jdbc.sql("delete from webhook_secret where endpoint_id = :e and version = :v")
                    .param("e", endpointId)
                    .param("v", v)
                    .update();
        }
        if (!versions.isEmpty()) {
            audit(tenantId, endpointId, "webhook_secret.destroyed", caller, Map.of("versions", versions.toString()));
        }
    }

    private void audit(String tenantId, String endpointId, String action, String caller, Map<String, String> details) {
        AuditEvent event = new AuditEvent(
                UUID.randomUUID(),
                Instant.now(),
                tenantId,
                AuditEvent.CURRENT_VERSION,
                caller,
                "service",
                action,
                endpointId,
                "key-vault-service",
                null,
                null,
                details);
        kafka.send(Topics.AUDIT, tenantId, EventJson.encode(event));
    }

    private static void requireIds(String tenantId, String endpointId, int version) {
        if (!ID.matcher(tenantId).matches() || !ID.matcher(endpointId).matches() || version < 1) {
            throw new IllegalArgumentException("tenant and endpoint ids are public ids like t_… and we_…");
        }
    }

    /** One store entry per endpoint, a ciphertext per version. */
    private static String path(String tenantId, String endpointId) {
        return "tenants/" + tenantId + "/webhooks/" + endpointId;
    }

    private static String context(String tenantId, String endpointId) {
        return tenantId + "|" + endpointId;
    }

    /** One version of a secret; prints redacted. */
    public record Version(int version, Secret secret) {}
}
