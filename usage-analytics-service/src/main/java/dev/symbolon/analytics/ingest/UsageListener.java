package dev.symbolon.analytics.ingest;

import dev.symbolon.analytics.quota.QuotaStatePublisher;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.support.kafka.DeadLetters;
import dev.symbolon.support.kafka.RecordFailure;
import dev.symbolon.support.traces.Traces;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
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
    private final Traces traces;

    UsageListener(
            UsageFacts facts,
            DeadLetters deadLetters,
            QuotaStatePublisher quotaStates,
            IngestMeters meters,
            Traces traces) {
        this.facts = facts;
        this.deadLetters = deadLetters;
        this.quotaStates = quotaStates;
        this.meters = meters;
        this.traces = traces;
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
        List<Span> spans = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            Span span = ingestSpan(record);
            if (span != null) {
                spans.add(span);
            }
            try {
                events.add(new Received(
                        record,
                        new UsageFacts.Delivered(
                                EventJson.decode(record.value(), UsageRecorded.class),
                                record.partition(),
                                record.offset(),
                                span == null ? null : Traces.traceparent(span.getSpanContext()))));
            } catch (EventJson.MalformedEventException e) {
                if (span != null) {
                    span.setStatus(StatusCode.ERROR, "dead-lettered");
                }
                deadLetters.send(record, e);
            }
        }
        try {
            store(events);
        } catch (RuntimeException e) {
            spans.forEach(span -> span.setStatus(StatusCode.ERROR, "batch failed; retried"));
            throw e;
        } finally {
            spans.forEach(Span::end);
        }
    }

    /**
     * The span of one traced event's ingest, child of the request that produced it; ended once its batch
     * is stored. Null while tracing is off or for an event without a trace.
     */
    private Span ingestSpan(ConsumerRecord<String, byte[]> record) {
        String traceparent = traces.enabled() ? Traces.traceparent(record.headers()) : null;
        if (traceparent == null) {
            return null;
        }
        Span span = traces.start(record.topic() + " process", SpanKind.CONSUMER, Traces.fromTraceparent(traceparent));
        span.setAttribute("messaging.system", "kafka");
        span.setAttribute("messaging.destination.name", record.topic());
        span.setAttribute("messaging.destination.partition.id", Integer.toString(record.partition()));
        span.setAttribute("messaging.kafka.offset", record.offset());
        return span;
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
