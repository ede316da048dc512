package dev.symbolon.analytics.ingest;

import dev.symbolon.analytics.quota.QuotaStatePublisher;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.support.kafka.DeadLetters;
import dev.symbolon.support.kafka.RecordFailure;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code usage-recorded.v1} in batches (up to {@code max-poll-records}). Each batch is one
 * database transaction; offsets are committed only after it (ack mode BATCH), so a crash re-delivers
 * the batch, whose facts then conflict and change nothing.
 *
 * <p>A record that fails on its own goes to {@code usage-recorded.v1.dlt} with the reason in its
 * headers, and the rest of its batch is stored: a malformed record at once, and one the database
 * refuses (service-support's {@link RecordFailure}: a data error, not an outage) by splitting the
 * failing batch in halves until the record is alone. Any other failure (the database is away) fails
 * the whole batch, which the error handler retries until it succeeds: an outage never turns valid
 * usage into dead letters, and a bad record never holds its partition.
 */
@Component
class UsageListener {

    private final UsageFacts facts;
    private final DeadLetters deadLetters;
    private final QuotaStatePublisher quotaStates;
    private final IngestMeters meters;

    UsageListener(UsageFacts facts, DeadLetters deadLetters, QuotaStatePublisher quotaStates, IngestMeters meters) {
        this.facts = facts;
        this.deadLetters = deadLetters;
        this.quotaStates = quotaStates;
        this.meters = meters;
    }

    /** Started by {@link dev.symbolon.analytics.quota.TenantDirectory} once tenants' time zones are known. */
    @KafkaListener(
            id = "usage",
            topics = Topics.USAGE_RECORDED,
            concurrency = "2",
            batch = "true",
            autoStartup = "false")
    void onUsage(List<ConsumerRecord<String, byte[]>> records) {
        List<Received> events = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                events.add(new Received(
                        record,
                        new UsageFacts.Delivered(
                                EventJson.decode(record.value(), UsageRecorded.class),
                                record.partition(),
                                record.offset())));
            } catch (EventJson.MalformedEventException e) {
                deadLetters.send(record, e);
            }
        }
        store(events);
    }

    /** Stores the events in one transaction, or isolates the one the database refuses. */
    private void store(List<Received> events) {
        if (events.isEmpty()) {
            return;
        }
        UsageFacts.Stored stored;
        try {
            stored = facts.insertBatch(events.stream().map(Received::delivered).toList());
        } catch (RuntimeException e) {
            if (!RecordFailure.isRecordLevel(e)) {
                throw e; // an outage: the batch comes back
            }
            if (events.size() == 1) {
                Received bad = events.get(0);
                deadLetters.send(bad.record(), e);
                quotaStates.changed(facts.passOver(bad.delivered()).changedQuotas());
                return;
            }
            int half = events.size() / 2;
            store(events.subList(0, half));
            store(events.subList(half, events.size()));
            return;
        }
        meters.stored(events.size(), stored.fresh());
        quotaStates.changed(stored.changedQuotas());
    }

    private record Received(ConsumerRecord<String, byte[]> record, UsageFacts.Delivered delivered) {}
}
