package dev.symbolon.edge;

import dev.symbolon.contracts.Allowance;
import dev.symbolon.contracts.AllowanceRequest;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays usage-analytics-service's allowance owner for the edge's tests, over the real broker: it
 * reads the tenants' policies from {@code tenant-config.v1} and answers asks on {@code
 * quota-allowance-request.v1} as analytics does for a single edge with nothing counted yet: the
 * whole of what remains, or spent when an ask does not fit. (Analytics' own slicing across edges is
 * tested in analytics and, with three edges, in local-stack.)
 */
final class AllowanceDesk implements Runnable {

    private static volatile AllowanceDesk running;

    private final String brokers;
    private final Map<String, TenantConfigSnapshot> tenants = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    /** asks answered, for tests that count them */
    final AtomicLong asks = new AtomicLong();

    /** Cost a tenant's other edges have spent today, as analytics would have counted it. */
    final Map<String, BigDecimal> spentElsewhere = new ConcurrentHashMap<>();

    private AllowanceDesk(String brokers) {
        this.brokers = brokers;
    }

    /** The desk for this JVM's broker, started on first use. */
    static synchronized AllowanceDesk on(String brokers) {
        if (running == null) {
            running = new AllowanceDesk(brokers);
            Thread thread = new Thread(running, "allowance-desk");
            thread.setDaemon(true);
            thread.start();
        }
        return running;
    }

    @Override
    public void run() {
        Properties consumer = new Properties();
        consumer.put("bootstrap.servers", brokers);
        Properties producer = new Properties();
        producer.put("bootstrap.servers", brokers);
        producer.put("linger.ms", "0");
        try (KafkaConsumer<String, byte[]> in =
                        new KafkaConsumer<>(consumer, new StringDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<String, byte[]> out =
                        new KafkaProducer<>(producer, new StringSerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = new java.util.ArrayList<>();
            for (String topic : List.of(Topics.TENANT_CONFIG, Topics.ALLOWANCE_REQUEST)) {
                in.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            in.assign(partitions);
            in.seekToBeginning(partitions);
            while (true) {
                for (ConsumerRecord<String, byte[]> record : in.poll(Duration.ofMillis(100))) {
                    if (record.value() == null) {
                        continue;
                    }
                    if (record.topic().equals(Topics.TENANT_CONFIG)) {
                        TenantConfigSnapshot snapshot = EventJson.decode(record.value(), TenantConfigSnapshot.class);
                        tenants.put(snapshot.tenantId(), snapshot);
                    } else {
                        Allowance answer = answer(EventJson.decode(record.value(), AllowanceRequest.class));
                        out.send(new ProducerRecord<>(Topics.ALLOWANCE, answer.edgeId(), EventJson.encode(answer)));
                    }
                }
            }
        }
    }

    private Allowance answer(AllowanceRequest request) {
        asks.incrementAndGet();
        TenantConfigSnapshot tenant = tenants.get(request.tenantId());
        TenantConfigSnapshot.Policy policy = tenant == null
                ? null
                : request.appId() == null
                        ? tenant.policy()
                        : tenant.apps().stream()
                                .filter(app -> app.appId().equals(request.appId()))
                                .map(TenantConfigSnapshot.App::policy)
                                .findFirst()
                                .orElse(null);
        long seq = sequence.incrementAndGet();
        Instant now = Instant.now();
        return new Allowance(
                UUID.randomUUID(),
                now,
                request.tenantId(),
                Allowance.CURRENT_VERSION,
                request.appId(),
                request.edgeId(),
                request.eventId(),
                policy == null
                        ? null
                        : grant(
                                request,
                                request.dayStart(),
                                request.dayUsed(),
                                seq,
                                policy.requestsPerDay(),
                                policy.tokensPerDay(),
                                policy.costPerDayUsd() == null
                                        ? null
                                        : policy.costPerDayUsd()
                                                .subtract(spentElsewhere.getOrDefault(request.key(), BigDecimal.ZERO))),
                policy == null
                        ? null
                        : grant(
                                request,
                                request.monthStart(),
                                request.monthUsed(),
                                seq,
                                policy.requestsPerMonth(),
                                policy.tokensPerMonth(),
                                policy.costPerMonthUsd()),
                now.plusSeconds(60));
    }

    private static Allowance.Grant grant(
            AllowanceRequest request,
            Instant start,
            Allowance.Amount used,
            long sequence,
            Long requests,
            Long tokens,
            BigDecimal cost) {
        if (requests == null && tokens == null && cost == null) {
            return null;
        }
        Allowance.Amount limit = new Allowance.Amount(requests, tokens, cost);
        if (request.kind() == AllowanceRequest.Kind.RETURN) {
            return new Allowance.Grant(start, sequence, used, false);
        }
        Allowance.Amount need = request.need();
        boolean fits = (requests == null || used.requests() + need.requests() <= requests)
                && (tokens == null || used.tokens() + need.tokens() <= tokens)
                && (cost == null || used.costUsd().add(need.costUsd()).compareTo(cost) <= 0);
        return new Allowance.Grant(start, sequence, limit, !fits);
    }
}
