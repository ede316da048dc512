package dev.symbolon.analytics.ingest;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Thin: decode, store idempotently. Failures go through the error handler in {@link IngestConfig}. */
@Component
class UsageListener {

    private final UsageFacts facts;

    UsageListener(UsageFacts facts) {
        this.facts = facts;
    }

    @KafkaListener(topics = Topics.USAGE_RECORDED, concurrency = "2")
    void onUsage(ConsumerRecord<String, byte[]> record) {
        facts.insert(EventJson.decode(record.value(), UsageRecorded.class));
    }
}
