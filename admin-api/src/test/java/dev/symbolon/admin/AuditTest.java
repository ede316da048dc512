package dev.symbolon.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.AuditEvent;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.GoldenFiles;
import dev.symbolon.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.JsonNode;

/** The audit log: every change recorded, the hash chain, other services' entries, entries that cannot be stored. */
class AuditTest extends AdminApiContextTest {

    @Test
    void every_change_is_audited_with_who_what_where_and_the_chain_verifies() {
        String appId = json(expect(
                        tokens.get("tenant-admin"),
                        HttpMethod.POST,
                        "/admin/tenants/" + tenantA + "/apps",
                        Map.of("name", "audited"),
                        201))
                .path("appId")
                .asString();

        JsonNode entries = json(expect(
                        BOOTSTRAP, HttpMethod.GET, "/admin/audit?action=app.created&tenantId=" + tenantA, null, 200))
                .path("items");
        JsonNode entry = null;
        for (JsonNode candidate : entries) {
            if (appId.equals(candidate.path("target").asString())) {
                entry = candidate;
            }
        }
        assertThat(entry).isNotNull();
        assertThat(entry.path("actorRole").asString()).isEqualTo("tenant-admin");
        assertThat(entry.path("actor").asString()).startsWith("adk_");
        assertThat(entry.path("service").asString()).isEqualTo("admin-api");
        assertThat(entry.path("sourceIp").asString()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(entry.path("requestId").asString()).isNotBlank();
        assertThat(entry.path("details").path("after.name").asString()).isEqualTo("audited");

        JsonNode verification = json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200));
        assertThat(verification.path("valid").asBoolean()).isTrue();
        assertThat(verification.path("verifiedEntries").asLong()).isPositive();
    }

    @Test
    void a_tampered_entry_breaks_the_chain_at_that_entry() {
        expect(BOOTSTRAP, HttpMethod.PATCH, "/admin/tenants/" + tenantB, Map.of("plan", "enterprise"), 200);
        long seq = jdbc.queryForObject(
                "select max(seq) from admin.audit_entry where action = 'tenant.updated'", Long.class);
        String original =
                jdbc.queryForObject("select details::text from admin.audit_entry where seq = ?", String.class, seq);
        try {
            jdbc.update("update admin.audit_entry set details = '{\"after.plan\": \"free\"}' where seq = ?", seq);

            JsonNode verification = json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200));

            assertThat(verification.path("valid").asBoolean()).isFalse();
            assertThat(verification.path("firstInvalidSeq").asLong()).isEqualTo(seq);
        } finally {
            jdbc.update("update admin.audit_entry set details = cast(? as jsonb) where seq = ?", original, seq);
        }
        assertThat(json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200))
                        .path("valid")
                        .asBoolean())
                .isTrue();
    }

    @Autowired
    KafkaTemplate<String, byte[]> producer;

    @Test
    void entries_from_other_services_join_the_log_once_each() {
        AuditEvent golden = GoldenFiles.decode(Topics.AUDIT, AuditEvent.class);
        AuditEvent event = new AuditEvent(
                UUID.randomUUID(),
                golden.occurredAt(),
                tenantA,
                1,
                golden.actor(),
                golden.actorRole(),
                golden.action(),
                "key_" + UUID.randomUUID(),
                golden.service(),
                golden.sourceIp(),
                golden.requestId(),
                golden.details());

        producer.send(Topics.AUDIT, tenantA, EventJson.encode(event));
        producer.send(Topics.AUDIT, tenantA, EventJson.encode(event));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForObject(
                                "select count(*) from admin.audit_entry where entry_id = ?",
                                Long.class,
                                event.eventId())
                        == 1);
        producer.send(
                Topics.AUDIT,
                tenantA,
                EventJson.encode(new AuditEvent(
                        UUID.randomUUID(),
                        golden.occurredAt(),
                        tenantA,
                        1,
                        "marker",
                        "service",
                        "marker.sent",
                        "m",
                        "test",
                        null,
                        null,
                        Map.of())));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForObject(
                                "select count(*) from admin.audit_entry where action = 'marker.sent'", Long.class)
                        == 1);
        assertThat(jdbc.queryForObject(
                        "select count(*) from admin.audit_entry where entry_id = ?", Long.class, event.eventId()))
                .isEqualTo(1);
        assertThat(json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200))
                        .path("valid")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void an_audit_entry_that_is_malformed_or_carries_a_nul_byte_does_not_stop_the_log() {
        byte[] malformed = "{\"an\":\"audit entry?\"}".getBytes(StandardCharsets.UTF_8);
        producer.send(Topics.AUDIT, tenantA, malformed);
        String withNul = new String(
                        EventJson.encode(new AuditEvent(
                                UUID.randomUUID(),
                                Instant.now(),
                                tenantA,
                                1,
                                "edge-proxy",
                                "service",
                                "nul.sent",
                                "key_nul",
                                "test",
                                null,
                                null,
                                Map.of("label", "before-after"))),
                        StandardCharsets.UTF_8)
                .replace("before-after", "before\\u0000after");
        producer.send(Topics.AUDIT, tenantA, withNul.getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForObject(
                                "select count(*) from admin.audit_entry where action = 'nul.sent'", Long.class)
                        == 1);
        assertThat(jdbc.queryForObject(
                        "select details::text from admin.audit_entry where action = 'nul.sent'", String.class))
                .contains("before\uFFFDafter");
        java.util.Properties config = new java.util.Properties();
        config.put("bootstrap.servers", kafka.getBrokersAsString());
        config.put("group.id", "dlt-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                config,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.deadLetter(Topics.AUDIT)));
            List<byte[]> dead = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> dead.add(r.value()));
                return dead.stream().anyMatch(v -> java.util.Arrays.equals(v, malformed));
            });
        }
        assertThat(json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200))
                        .path("valid")
                        .asBoolean())
                .isTrue();
    }
}
