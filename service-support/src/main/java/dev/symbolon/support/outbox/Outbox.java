package dev.symbolon.support.outbox;

import dev.symbolon.support.traces.Traces;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The transactional outbox: a message is written in the caller's transaction, so it exists if and
 * only if the change it announces committed, and sent to Kafka afterwards — in the order it was
 * written, by one publisher at a time across a service's replicas (a PostgreSQL advisory lock on the
 * table), woken as soon as the writing transaction commits. Each message is marked sent once the
 * broker has acknowledged it; while Kafka is down messages wait in the table and go out, in order,
 * when it is back. Sent messages are deleted after {@code keepPublished}.
 *
 * <p>Delivery is at least once: a crash between the broker's acknowledgement and the mark resends one
 * message, which consumers recognise (by revision, or by event id).
 *
 * <p>Meters, by table: {@code symbolon.outbox.backlog} (messages not sent yet, counted at most every
 * {@value #MEASURE_EVERY_SECONDS} s; -1 until first counted), {@code symbolon.outbox.oldest.age} (seconds
 * the oldest of them has waited), {@code symbolon.outbox.published} and {@code
 * symbolon.outbox.publish.failures} (batches that stopped on a failure).
 *
 * <p>The table is the service's own (its migration creates it): {@code id bigserial primary key,
 * topic text, message_key text, payload bytea (null: a tombstone), created_at timestamptz,
 * published_at timestamptz, traceparent text}, with an index on {@code id} where {@code published_at is
 * null}. A message keeps the {@code traceparent} of the span its change ran in and is sent with it as a
 * record header, so a trace continues through the wait.
 */
public final class Outbox implements SmartLifecycle, MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int BATCH = 200;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);
    private static final int MEASURE_EVERY_SECONDS = 5;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final KafkaOperations<String, byte[]> kafka;
    private final String table;
    private final Duration pollInterval;
    private final Duration keepPublished;
    private final Semaphore wake = new Semaphore(0);

    /** Wakes the publisher once a writing transaction commits; one instance, so a transaction registers it once. */
    private final TransactionSynchronization wakeOnCommit = new TransactionSynchronization() {
        @Override
        public void afterCommit() {
            wake.release();
        }
    };

    private volatile boolean running;
    private Thread thread;
    private long lastPurgeNanos = System.nanoTime();
    private long lastMeasureNanos =
            System.nanoTime() - Duration.ofSeconds(MEASURE_EVERY_SECONDS).toNanos();
    private volatile long backlog = -1;
    private volatile double oldestAgeSeconds;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public Outbox(
            JdbcTemplate jdbc,
            PlatformTransactionManager transactionManager,
            KafkaOperations<String, byte[]> kafka,
            String table,
            Duration pollInterval,
            Duration keepPublished) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("symbolon.outbox.table: '" + table + "' is not a plain table name");
        }
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.kafka = kafka;
        this.table = table;
        this.pollInterval = pollInterval;
        this.keepPublished = keepPublished;
    }

    /**
     * Appends a message in the caller's transaction (there must be one: a message written outside the
     * change it announces could announce a change that never happened).
     *
     * @param payload the message value; null for a tombstone on a compacted topic
     */
    public void append(String topic, String key, byte[] payload) {
        append(topic, key, payload, Traces.currentTraceparent());
    }

    /**
     * Appends a message that continues the trace of {@code traceparent} (null: none), for a change made
     * on behalf of a request other than the one current on this thread (a batch of events).
     */
    public void append(String topic, String key, byte[] payload, String traceparent) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("an outbox message is appended in the transaction of its change");
        }
        jdbc.update(
                "insert into " + table + " (topic, message_key, payload, traceparent) values (?, ?, ?, ?)",
                topic,
                key,
                payload,
                traceparent);
        TransactionSynchronizationManager.registerSynchronization(wakeOnCommit);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("symbolon.outbox.backlog", this, o -> o.backlog)
                .description("Outbox messages not sent to Kafka yet (-1 until first counted)")
                .baseUnit("messages")
                .tag("table", table)
                .register(registry);
        Gauge.builder("symbolon.outbox.oldest.age", this, o -> o.oldestAgeSeconds)
                .description("How long the oldest message not sent yet has waited")
                .baseUnit("seconds")
                .tag("table", table)
                .register(registry);
        FunctionCounter.builder("symbolon.outbox.published", published, AtomicLong::get)
                .description("Outbox messages the broker acknowledged")
                .tag("table", table)
                .register(registry);
        FunctionCounter.builder("symbolon.outbox.publish.failures", failures, AtomicLong::get)
                .description("Publishing rounds stopped by a failure (broker or database away)")
                .tag("table", table)
                .register(registry);
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::loop, "outbox-" + table);
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
            Duration wait = pollInterval;
            try {
                if (publishBatch() == BATCH) {
                    measureNowAndThen();
                    continue;
                }
                backoff = Duration.ZERO;
                measureNowAndThen();
                purgeNowAndThen();
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                measureQuietly();
                backoff = backoff.isZero() ? Duration.ofMillis(250) : min(backoff.multipliedBy(2), MAX_BACKOFF);
                wait = backoff;
                log.warn("outbox {}: publishing paused for {} ms: {}", table, backoff.toMillis(), describe(e));
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
     * Sends up to one batch, in id order, if no other replica is sending. Rows sent before a failure
     * stay marked (their transaction commits); the failure is rethrown afterwards so the loop backs off.
     *
     * @return how many messages were sent
     */
    int publishBatch() {
        RuntimeException[] failure = new RuntimeException[1];
        Integer sent = transactions.execute(tx -> {
            Boolean locked = jdbc.queryForObject(
                    "select pg_try_advisory_xact_lock(hashtext(current_schema() || '." + table + "'))", Boolean.class);
            if (!Boolean.TRUE.equals(locked)) {
                return 0;
            }
            List<Row> rows = jdbc.query(
                    "select id, topic, message_key, payload, traceparent from " + table
                            + " where published_at is null order by id limit " + BATCH,
                    (rs, n) -> new Row(
                            rs.getLong("id"),
                            rs.getString("topic"),
                            rs.getString("message_key"),
                            rs.getBytes("payload"),
                            rs.getString("traceparent")));
            int count = 0;
            for (Row row : rows) {
                try {
                    ProducerRecord<String, byte[]> record = new ProducerRecord<>(row.topic(), row.key(), row.payload());
                    Traces.inject(row.traceparent(), record.headers());
                    kafka.send(record).get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    failure[0] = new IllegalStateException("sending outbox message " + row.id() + " failed", e);
                    break;
                }
                jdbc.update("update " + table + " set published_at = now() where id = ?", row.id());
                published.incrementAndGet();
                count++;
            }
            return count;
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        return sent == null ? 0 : sent;
    }

    /** Counts what is waiting, at most every few seconds (an index-only count of the unsent rows). */
    private void measureNowAndThen() {
        if (System.nanoTime() - lastMeasureNanos
                < Duration.ofSeconds(MEASURE_EVERY_SECONDS).toNanos()) {
            return;
        }
        lastMeasureNanos = System.nanoTime();
        measure();
    }

    private void measureQuietly() {
        try {
            measureNowAndThen();
        } catch (RuntimeException e) {
            // the database is what failed: the last figures stand
        }
    }

    /** Counts the messages not sent yet and the age of the oldest. */
    void measure() {
        jdbc.query(
                "select count(*), coalesce(extract(epoch from now() - min(created_at)), 0) from " + table
                        + " where published_at is null",
                rs -> {
                    backlog = rs.getLong(1);
                    oldestAgeSeconds = rs.getDouble(2);
                });
    }

    /** Deletes messages sent more than {@code keepPublished} ago, at most every ten minutes. */
    private void purgeNowAndThen() {
        if (System.nanoTime() - lastPurgeNanos < PURGE_EVERY.toNanos()) {
            return;
        }
        lastPurgeNanos = System.nanoTime();
        purgePublished();
    }

    /** @return how many sent messages were older than {@code keepPublished} and deleted */
    int purgePublished() {
        return jdbc.update("delete from " + table + " where published_at < now() - make_interval(secs => ?)", (double)
                keepPublished.toSeconds());
    }

    /** The failure's classes, never its messages (a broker's message could quote what was sent). */
    private static String describe(Throwable e) {
        StringBuilder chain = new StringBuilder(e.getClass().getSimpleName());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            chain.append(" <- ").append(cause.getClass().getSimpleName());
        }
        return chain.toString();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private record Row(long id, String topic, String key, byte[] payload, String traceparent) {}
}
