package dev.symbolon.edge.usage;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.support.traces.Traces;
import dev.symbolon.support.web.LogContext;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends {@code usage-recorded.v1} events, keyed by tenant, and never blocks or fails the request that
 * produced one: events are handed to a sender thread through a bounded queue. The producer retries a
 * short outage by itself; an event whose send finally fails, or that finds the queue full, goes to the
 * on-disk {@link UsageJournal}, which is replayed in order once the broker answers again. Replayed
 * events keep their {@code eventId}, so a consumer stores each once.
 *
 * <p>Meters: {@code symbolon.edge.usage.queue} (events handed over, not sent yet), {@code
 * symbolon.edge.usage.journal.size} and {@code .segments} (what waits on disk for replay), and the
 * counters {@code symbolon.edge.usage.journalled}, {@code .replayed} and {@code .dropped} (the journal
 * was full).
 */
@Component
class UsageEventPublisher implements SmartLifecycle, MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(UsageEventPublisher.class);
    private static final Duration REPLAY_INTERVAL = Duration.ofSeconds(2);
    /** After a failed send, events go straight to the journal this long instead of waiting on the broker. */
    private static final Duration JOURNAL_ONLY_AFTER_FAILURE = Duration.ofSeconds(5);

    private final KafkaTemplate<String, byte[]> kafka;
    private final UsageJournal journal;
    private final BlockingQueue<Pending> queue;
    private volatile boolean running;
    private volatile long journalOnlyUntilNanos;
    private final AtomicLong journalled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private Thread sender;
    private Thread replayer;

    UsageEventPublisher(KafkaTemplate<String, byte[]> kafka, EdgeProperties properties) {
        this.kafka = kafka;
        EdgeProperties.UsageJournal config = properties.usageJournal();
        this.journal = new UsageJournal(config.directory(), config.maxSize().toBytes());
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    }

    /**
     * @param traceparent the request's trace context, sent as the record's {@code traceparent} header
     *     (not journalled: a replayed event starts no trace)
     */
    void publish(UsageRecorded event, String traceparent) {
        if (!queue.offer(new Pending(event, traceparent))) {
            journal(EventJson.encode(event));
        }
    }

    /** An event handed to the sender, with its request's trace context (null when tracing is off). */
    private record Pending(UsageRecorded event, String traceparent) {}

    private void journal(byte[] payload) {
        journalled.incrementAndGet();
        journal.append(payload);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("symbolon.edge.usage.queue", queue, BlockingQueue::size)
                .description("Usage events handed to the sender, not sent yet")
                .baseUnit("events")
                .register(registry);
        Gauge.builder("symbolon.edge.usage.journal.size", journal, UsageJournal::size)
                .description("Usage events on disk waiting to be replayed to Kafka")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("symbolon.edge.usage.journal.segments", journal, UsageJournal::segmentCount)
                .description("Journal segment files waiting to be replayed")
                .register(registry);
        FunctionCounter.builder("symbolon.edge.usage.journalled", journalled, AtomicLong::get)
                .description("Usage events written to the journal (Kafka away, or the queue full)")
                .register(registry);
        FunctionCounter.builder("symbolon.edge.usage.replayed", replayed, AtomicLong::get)
                .description("Journalled usage events replayed to Kafka")
                .register(registry);
        FunctionCounter.builder("symbolon.edge.usage.dropped", journal, UsageJournal::dropped)
                .description("Usage events lost because the journal was full or unwritable")
                .register(registry);
    }

    private void sendLoop() {
        while (running || !queue.isEmpty()) {
            try {
                Pending pending = queue.poll(200, TimeUnit.MILLISECONDS);
                if (pending != null) {
                    send(pending.event(), pending.traceparent());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void send(UsageRecorded event, String traceparent) {
        byte[] payload = EventJson.encode(event);
        if (System.nanoTime() - journalOnlyUntilNanos < 0) {
            journal(payload);
            return;
        }
        try {
            ProducerRecord<String, byte[]> record =
                    new ProducerRecord<>(Topics.USAGE_RECORDED, event.tenantId(), payload);
            Traces.inject(traceparent, record.headers());
            kafka.send(record).whenComplete((result, error) -> {
                if (error != null) {
                    failed(event, traceparent, payload, error);
                }
            });
        } catch (RuntimeException e) {
            failed(event, traceparent, payload, e);
        }
    }

    private void failed(UsageRecorded event, String traceparent, byte[] payload, Throwable error) {
        journalOnlyUntilNanos = System.nanoTime() + JOURNAL_ONLY_AFTER_FAILURE.toNanos();
        LogContext.logging(
                event.requestId(),
                Traces.fromTraceparent(traceparent),
                () -> log.warn("usage event {} kept in the journal: {}", event.eventId(), error.toString()));
        journal(payload);
    }

    private void replayLoop() {
        while (running) {
            try {
                Thread.sleep(REPLAY_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!journal.isEmpty()) {
                replay();
            }
        }
    }

    /** Sends journal segments oldest first, each event waited for; stops at the first failure. */
    void replay() {
        journal.closeSegment();
        for (Path segment : journal.closedSegments()) {
            List<String> lines;
            try {
                lines = Files.readAllLines(segment, StandardCharsets.UTF_8);
            } catch (IOException e) {
                log.warn("reading journal segment {} failed: {}", segment.getFileName(), e.toString());
                return;
            }
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                UsageRecorded event = EventJson.decode(line, UsageRecorded.class);
                try {
                    kafka.send(Topics.USAGE_RECORDED, event.tenantId(), line.getBytes(StandardCharsets.UTF_8))
                            .get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    // Already-sent lines of this segment are sent again next time; same eventId.
                    return;
                }
            }
            journal.remove(segment);
            replayed.addAndGet(lines.stream().filter(line -> !line.isBlank()).count());
            journalOnlyUntilNanos = System.nanoTime();
            log.info("replayed {} journalled usage events", lines.size());
        }
    }

    @Override
    public void start() {
        running = true;
        sender = new Thread(this::sendLoop, "usage-sender");
        sender.setDaemon(true);
        sender.start();
        replayer = new Thread(this::replayLoop, "usage-journal-replay");
        replayer.setDaemon(true);
        replayer.start();
    }

    /** Drains the queue (bounded) so events already handed over are sent or journalled. */
    @Override
    public void stop() {
        running = false;
        replayer.interrupt();
        try {
            sender.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending pending; (pending = queue.poll()) != null; ) {
            journal(EventJson.encode(pending.event()));
        }
        kafka.flush();
        journal.closeSegment();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stop after the request path has stopped, before the Kafka producer closes. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }
}
