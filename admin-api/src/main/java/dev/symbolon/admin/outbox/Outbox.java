package dev.symbolon.admin.outbox;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Appends messages to the transactional outbox. A message is written in the caller's transaction, so
 * it exists if and only if the change it announces committed; {@link OutboxPublisher} sends it to
 * Kafka afterwards and is woken as soon as the transaction commits.
 */
@Component
public class Outbox {

    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;

    Outbox(JdbcClient jdbc, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /** @param payload the message value; null for a tombstone on a compacted topic */
    @Transactional(propagation = Propagation.MANDATORY)
    public void append(String topic, String key, byte[] payload) {
        jdbc.sql("insert into outbox (topic, message_key, payload) values (:topic, :key, :payload)")
                .param("topic", topic)
                .param("key", key)
                .param("payload", payload)
                .update();
        events.publishEvent(new Appended());
    }

    /** Published in the appending transaction; delivered to the publisher after commit. */
    record Appended() {}
}
