package dev.symbolon.edge.events;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The edge's events besides usage ({@code audit.v1} alerts, {@code notification.v1} notices): sent from
 * a thread of their own (a send may wait for broker metadata; the request path must not), through a
 * bounded queue. When the queue is full, or the send fails, the event is logged as lost, never waited
 * for: these are alerts, not records (usage has its own journal).
 */
@Component
public class SideEvents implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SideEvents.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final ThreadPoolExecutor sender;

    @org.springframework.beans.factory.annotation.Autowired
    public SideEvents(KafkaTemplate<String, byte[]> kafka) {
        this(kafka, "edge-side-events");
    }

    /** Events of one kind with a producer and a thread of their own (e.g. quota allowance asks). */
    public SideEvents(KafkaTemplate<String, byte[]> kafka, String threadName) {
        this.kafka = kafka;
        this.sender = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(1_000),
                runnable -> {
                    Thread thread = new Thread(runnable, threadName);
                    thread.setDaemon(true);
                    return thread;
                },
                (runnable, executor) -> log.warn("side event queue full; an event was not sent"));
    }

    /** Queues one event for its topic; returns at once. {@code what} names it in a log line if it is lost. */
    public void send(String topic, String key, byte[] value, String what) {
        sender.execute(() -> {
            try {
                kafka.send(topic, key, value);
            } catch (RuntimeException e) {
                log.warn("could not send {}: {}", what, e.toString());
            }
        });
    }

    @Override
    public void destroy() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(5, TimeUnit.SECONDS);
    }
}
