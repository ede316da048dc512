package dev.symbolon.edge.usage;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Sends {@code usage-recorded.v1} events, keyed by tenant. Never blocks the caller: the Kafka
 * producer can block on metadata, so sends run off the event loop.
 */
@Component
class UsageEventPublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(UsageEventPublisher.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final Scheduler sender = Schedulers.newSingle("usage-publisher", true);

    UsageEventPublisher(KafkaTemplate<String, byte[]> kafka) {
        this.kafka = kafka;
    }

    /** Lets sends already handed over finish (bounded) before the producer closes. */
    @Override
    public void destroy() {
        sender.disposeGracefully()
                .timeout(Duration.ofSeconds(5))
                .onErrorComplete()
                .block();
    }

    void publish(UsageRecorded event) {
        byte[] payload = EventJson.encode(event);
        sender.schedule(() -> kafka.send(Topics.USAGE_RECORDED, event.tenantId(), payload)
                .whenComplete((result, error) -> {
                    if (error != null) {
                        log.warn(
                                "usage event {} for request {} not published: {}",
                                event.eventId(),
                                event.requestId(),
                                error.toString());
                    }
                }));
    }
}
