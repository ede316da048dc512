package dev.symbolon.admin.outbox;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends outbox messages to Kafka in id order, and marks each one sent as soon as the broker has
 * acknowledged it. One publisher at a time across replicas (a PostgreSQL advisory lock), so a tenant's
 * snapshots reach its compacted topic in the order they were committed. While Kafka is down, messages
 * wait in the table and go out when it is back.
 *
 * <p>Delivery is at least once: a crash between the broker's acknowledgement and the mark resends one
 * message, which consumers of {@code tenant-config.v1} ignore by revision.
 */
@Component
class OutboxPublisher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);
    private static final int BATCH = 200;
    private static final long LOCK_ID = 0x5359_4D42_4F58L; // "SYMBOX"
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final KafkaTemplate<String, byte[]> kafka;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;

    OutboxPublisher(JdbcClient jdbc, TransactionTemplate transactions, KafkaTemplate<String, byte[]> kafka) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.kafka = kafka;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void onAppended(Outbox.Appended appended) {
        wake.release();
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::loop, "outbox-publisher");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        wake.release();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void loop() {
        Duration backoff = Duration.ZERO;
        while (running) {
            Duration wait = IDLE_POLL;
            try {
                if (publishBatch() == BATCH) {
                    continue;
                }
                backoff = Duration.ZERO;
            } catch (RuntimeException e) {
                backoff = backoff.isZero() ? Duration.ofMillis(250) : min(backoff.multipliedBy(2), MAX_BACKOFF);
                wait = backoff;
                log.warn("outbox: publishing paused for {} ms: {}", backoff.toMillis(), e.toString());
            }
            try {
                if (wake.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Sends up to one batch. Rows sent before a failure stay marked (their transaction commits); the
     * failure is rethrown afterwards so the loop backs off.
     *
     * @return how many messages were sent
     */
    int publishBatch() {
        RuntimeException[] failure = new RuntimeException[1];
        Integer sent = transactions.execute(tx -> {
            Boolean locked = jdbc.sql("select pg_try_advisory_xact_lock(:id)")
                    .param("id", LOCK_ID)
                    .query(Boolean.class)
                    .single();
            if (!locked) {
                return 0;
            }
            List<Row> rows = jdbc.sql("select id, topic, message_key, payload from outbox"
                            + " where published_at is null order by id limit :limit")
                    .param("limit", BATCH)
                    .query((rs, n) -> new Row(
                            rs.getLong("id"),
                            rs.getString("topic"),
                            rs.getString("message_key"),
                            rs.getBytes("payload")))
                    .list();
            int count = 0;
            for (Row row : rows) {
                try {
                    kafka.send(new ProducerRecord<>(row.topic(), row.key(), row.payload()))
                            .get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    failure[0] = new IllegalStateException("sending outbox message " + row.id() + " failed", e);
                    break;
                }
                jdbc.sql("update outbox set published_at = now() where id = :id")
                        .param("id", row.id())
                        .update();
                count++;
            }
            return count;
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        return sent == null ? 0 : sent;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private record Row(long id, String topic, String key, byte[] payload) {}
}
