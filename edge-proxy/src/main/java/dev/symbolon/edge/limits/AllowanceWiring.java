package dev.symbolon.edge.limits;

import dev.symbolon.contracts.Allowance;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.EdgeProperties;
import dev.symbolon.edge.events.SideEvents;
import dev.symbolon.support.kafka.TopicFollower;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * This edge's side of quota allowances: its instance id (new on every start, so a restarted edge never
 * claims what a previous one held), {@link Quotas} asking analytics through {@code
 * quota-allowance-request.v1}, the answers read from {@code quota-allowance.v1}, and the sweep that
 * gives idle room back (everything, when the edge stops).
 */
@Configuration
class AllowanceWiring {

    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    /**
     * Asks leave at once (no linger: a request may be waiting for the answer), from a producer and a
     * thread of their own, so that neither usage batching nor other side events delay them.
     */
    @Bean(destroyMethod = "destroy")
    AllowanceAsks allowanceAsks(ProducerFactory<String, byte[]> producers) {
        KafkaTemplate<String, byte[]> template =
                new KafkaTemplate<>(producers, Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
        return new AllowanceAsks(new SideEvents(template, "edge-allowance-asks"), template);
    }

    /** The sender of this edge's allowance asks, and its own producer (closed with it). */
    record AllowanceAsks(SideEvents events, KafkaTemplate<String, byte[]> template) {
        void destroy() throws Exception {
            events.destroy();
            if (template.getProducerFactory() instanceof org.springframework.beans.factory.DisposableBean producer) {
                producer.destroy();
            }
        }
    }

    @Bean
    Quotas quotas(EdgeProperties properties, AllowanceAsks asks, MeterRegistry registry) {
        SideEvents events = asks.events();
        EdgeProperties.Allowances settings = properties.allowances();
        EdgeProperties.FailOpen open = settings.failOpen();
        return new Quotas(
                newEdgeId(),
                request -> events.send(
                        Topics.ALLOWANCE_REQUEST,
                        request.tenantId(),
                        EventJson.encode(request),
                        "a quota allowance request"),
                settings.maxWait(),
                settings.exhaustedBackoff(),
                settings.idleReturn(),
                new BigDecimal[] {BigDecimal.valueOf(open.requests()), BigDecimal.valueOf(open.tokens()), open.costUsd()
                },
                Clock.systemUTC(),
                registry);
    }

    /** Answers to this edge, from the moment it starts (older ones were for edges before it). */
    @Bean
    TopicFollower allowanceAnswers(Quotas quotas, KafkaProperties kafka) {
        return new TopicFollower("edge", Topics.ALLOWANCE, false, kafka.buildConsumerProperties()) {
            @Override
            protected void apply(ConsumerRecord<String, byte[]> record) {
                if (record.value() != null && quotas.edgeId().equals(record.key())) {
                    quotas.apply(EventJson.decode(record.value(), Allowance.class));
                }
            }
        };
    }

    @Bean
    SmartLifecycle idleAllowances(Quotas quotas) {
        return new SmartLifecycle() {
            private ScheduledExecutorService sweeper;

            @Override
            public void start() {
                sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "edge-allowance-sweep");
                    thread.setDaemon(true);
                    return thread;
                });
                sweeper.scheduleWithFixedDelay(quotas::returnIdle, 1, 1, TimeUnit.SECONDS);
            }

            @Override
            public void stop() {
                sweeper.shutdownNow();
                sweeper = null;
                quotas.returnAll();
            }

            @Override
            public boolean isRunning() {
                return sweeper != null;
            }
        };
    }

    static String newEdgeId() {
        SecureRandom random = new SecureRandom();
        char[] id = new char[12];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return "edge_" + new String(id);
    }
}
