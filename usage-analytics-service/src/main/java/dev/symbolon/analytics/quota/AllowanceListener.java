package dev.symbolon.analytics.quota;

import dev.symbolon.contracts.AllowanceRequest;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.support.kafka.DeadLetters;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Hears edges on {@code quota-allowance-request.v1} and answers each request through
 * {@link AllowanceOwner}. A request older than an allowance's lifetime is dropped unanswered: its edge
 * has stopped waiting, and answering would only keep a gone edge's room held. A malformed record goes
 * to the dead-letter topic; a database outage fails the record, which the error handler retries.
 */
@Component
class AllowanceListener {

    private final AllowanceOwner owner;
    private final DeadLetters deadLetters;
    private final Duration lifetime;
    private final Clock clock = Clock.systemUTC();

    AllowanceListener(
            AllowanceOwner owner,
            DeadLetters deadLetters,
            @Value("${symbolon.analytics.allowances.lifetime:60s}") Duration lifetime) {
        this.owner = owner;
        this.deadLetters = deadLetters;
        this.lifetime = lifetime;
    }

    /** Started with usage ingest, once tenants' policies and time zones are known. */
    @KafkaListener(id = "allowances", topics = Topics.ALLOWANCE_REQUEST, concurrency = "2", autoStartup = "false")
    void onRequest(ConsumerRecord<String, byte[]> record) {
        AllowanceRequest request;
        try {
            request = EventJson.decode(record.value(), AllowanceRequest.class);
        } catch (EventJson.MalformedEventException e) {
            deadLetters.send(record, e);
            return;
        }
        if (request.occurredAt().plus(lifetime).isBefore(clock.instant())) {
            return;
        }
        owner.answer(request);
    }
}
