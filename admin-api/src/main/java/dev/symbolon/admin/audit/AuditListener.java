package dev.symbolon.admin.audit;

import dev.symbolon.contracts.AuditEvent;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Thin: every service's {@code audit.v1} entries join admin-api's log, once each. */
@Component
class AuditListener {

    private final AuditLog audit;

    AuditListener(AuditLog audit) {
        this.audit = audit;
    }

    @KafkaListener(topics = Topics.AUDIT, groupId = "admin-audit")
    void onAudit(ConsumerRecord<String, byte[]> record) {
        audit.record(EventJson.decode(record.value(), AuditEvent.class));
    }
}
