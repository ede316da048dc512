package dev.symbolon.analytics.ingest;

import dev.symbolon.analytics.quota.QuotaStatePublisher;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code usage-recorded.v1} in batches (up to {@code max-poll-records}). Each batch is one
 * database transaction; offsets are committed only after it (ack mode BATCH), so a crash re-delivers
 * the batch, whose facts then conflict and change nothing. A record that is not a usage event goes to
 * {@code usage-recorded.v1.dlt} with the reason in its headers, before the batch commits; the rest of
 * the batch is stored. A database failure fails the whole batch, which the error handler retries.
 */
@Component
class UsageListener {

    private static final Logger log = LoggerFactory.getLogger(UsageListener.class);

    private final UsageFacts facts;
    private final KafkaTemplate<String, byte[]> kafka;
    private final QuotaStatePublisher quotaStates;

    UsageListener(UsageFacts facts, KafkaTemplate<String, byte[]> kafka, QuotaStatePublisher quotaStates) {
        this.facts = facts;
        this.kafka = kafka;
        this.quotaStates = quotaStates;
    }

    /** Started by {@link dev.symbolon.analytics.quota.TenantDirectory} once tenants' time zones are known. */
    @KafkaListener(
            id = "usage",
            topics = Topics.USAGE_RECORDED,
            concurrency = "2",
            batch = "true",
            autoStartup = "false")
    void onUsage(List<ConsumerRecord<String, byte[]>> records) {
        List<UsageFacts.Delivered> events = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                events.add(new UsageFacts.Delivered(
                        EventJson.decode(record.value(), UsageRecorded.class), record.partition(), record.offset()));
            } catch (EventJson.MalformedEventException e) {
                deadLetter(record, e);
            }
        }
        UsageFacts.Stored stored = facts.insertBatch(events);
        quotaStates.changed(stored.changedQuotas());
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, Exception reason) {
        ProducerRecord<String, byte[]> dead =
                new ProducerRecord<>(Topics.deadLetter(record.topic()), null, record.key(), record.value());
        dead.headers()
                .add(new RecordHeader("kafka_dlt-original-topic", bytes(record.topic())))
                .add(new RecordHeader("kafka_dlt-original-partition", bytes(Integer.toString(record.partition()))))
                .add(new RecordHeader("kafka_dlt-original-offset", bytes(Long.toString(record.offset()))))
                .add(new RecordHeader(
                        "kafka_dlt-exception-cause-fqcn",
                        bytes(reason.getClass().getName())))
                .add(new RecordHeader("kafka_dlt-exception-message", bytes(String.valueOf(reason.getMessage()))));
        try {
            kafka.send(dead).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted dead-lettering a record", e);
        } catch (ExecutionException | TimeoutException e) {
            // Not committing the batch: it comes back, and the dead letter is tried again.
            throw new IllegalStateException("dead-lettering a record failed", e);
        }
        log.warn(
                "usage record {}-{}@{} dead-lettered: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                reason.getClass().getSimpleName());
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
