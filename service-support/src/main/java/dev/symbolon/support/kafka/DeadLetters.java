package dev.symbolon.support.kafka;

import dev.symbolon.contracts.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;

/**
 * Sends a record that can never be processed to {@code <topic>.dlt}, unchanged, with where it came
 * from and why in its headers (the names Spring Kafka's recoverer uses, plus {@code symbolon-dlt-reason}),
 * and counts it per topic. Waits for the broker's acknowledgement: if the dead letter cannot be
 * written the caller must not commit the record, so it comes back and is tried again.
 */
public class DeadLetters implements MeterBinder {

    public static final String REASON = "symbolon-dlt-reason";

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final KafkaOperations<String, byte[]> kafka;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    public DeadLetters(KafkaOperations<String, byte[]> kafka) {
        this.kafka = kafka;
    }

    /** Dead-letters the record; throws when the dead letter could not be written. */
    public void send(ConsumerRecord<?, ?> record, Throwable failure) {
        String reason = RecordFailure.reason(failure);
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(
                Topics.deadLetter(record.topic()),
                null,
                record.key() == null ? null : record.key().toString(),
                record.value() instanceof byte[] bytes ? bytes : null);
        Headers headers = dead.headers();
        record.headers().forEach(headers::add);
        headers.add(header("kafka_dlt-original-topic", record.topic()))
                .add(header("kafka_dlt-original-partition", Integer.toString(record.partition())))
                .add(header("kafka_dlt-original-offset", Long.toString(record.offset())))
                .add(header(
                        "kafka_dlt-exception-cause-fqcn",
                        RecordFailure.culprit(failure).getClass().getName()))
                .add(header(REASON, reason));
        try {
            kafka.send(dead).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering " + where(record), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not dead-letter " + where(record), e);
        }
        long total =
                counts.computeIfAbsent(record.topic(), t -> new AtomicLong()).incrementAndGet();
        MeterRegistry meters = registry;
        if (meters != null) {
            Counter.builder("symbolon.kafka.dead.letters")
                    .description("Records sent to <topic>.dlt, by original topic")
                    .tag("topic", record.topic())
                    .register(meters)
                    .increment();
        }
        log.warn("dead-lettered {} to {}: {} ({} from this topic so far)", where(record), dead.topic(), reason, total);
    }

    /** Counts each dead letter as {@code symbolon.kafka.dead.letters} by original topic. */
    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Dead letters written so far, by original topic, since this instance started. */
    public Map<String, Long> counts() {
        Map<String, Long> snapshot = new java.util.TreeMap<>();
        counts.forEach((topic, count) -> snapshot.put(topic, count.get()));
        return snapshot;
    }

    private static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
