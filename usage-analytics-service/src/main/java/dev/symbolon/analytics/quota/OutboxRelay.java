package dev.symbolon.analytics.quota;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends what the ingest transaction wrote to the outbox (threshold notifications), in order, then
 * deletes it. A crash between sending and deleting sends a row again with the same {@code eventId},
 * which the dispatcher de-duplicates; nothing written is ever lost. Rows are claimed with
 * {@code skip locked}, so several instances share the work.
 */
@Component
class OutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final JdbcTemplate jdbc;
    private final KafkaTemplate<String, byte[]> kafka;
    private final TransactionTemplate transactions;

    OutboxRelay(JdbcTemplate jdbc, KafkaTemplate<String, byte[]> kafka, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.kafka = kafka;
        this.transactions = transactions;
    }

    @Scheduled(fixedDelayString = "${symbolon.analytics.outbox-interval-ms:200}")
    void relay() {
        try {
            while (Boolean.TRUE.equals(transactions.execute(tx -> relayBatch()))) {
                // more rows waiting
            }
        } catch (RuntimeException e) {
            log.warn("outbox relay postponed: {}", e.getClass().getSimpleName());
        }
    }

    private boolean relayBatch() {
        List<Object[]> rows = jdbc.query(
                "select id, topic, event_key, payload from outbox order by id limit 100 for update skip locked",
                (rs, n) -> new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4)});
        for (Object[] row : rows) {
            try {
                kafka.send((String) row[1], (String) row[2], (byte[]) row[3]).get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("outbox send failed", e);
            }
            jdbc.update("delete from outbox where id = ?", row[0]);
        }
        return rows.size() == 100;
    }
}
