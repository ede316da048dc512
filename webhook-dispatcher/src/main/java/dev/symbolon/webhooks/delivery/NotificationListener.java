package dev.symbolon.webhooks.delivery;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Notification;
import dev.symbolon.contracts.Topics;
import dev.symbolon.support.traces.Traces;
import dev.symbolon.webhooks.subscriptions.Endpoints;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * {@code notification.v1} → one persisted delivery per subscribed endpoint, then the worker is woken so
 * the first attempt starts at once. Started by {@link Endpoints} once the subscriptions are known.
 */
@Component
class NotificationListener {

    private final Endpoints endpoints;
    private final Deliveries deliveries;
    private final DeliveryWorker worker;

    NotificationListener(Endpoints endpoints, Deliveries deliveries, DeliveryWorker worker) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.worker = worker;
    }

    /**
     * A malformed notification, or one the database refuses, goes to {@code notification.v1.dlt}
     * (service-support's error handler); an outage is retried until it ends.
     */
    @KafkaListener(id = "notifications", idIsGroup = false, topics = Topics.NOTIFICATION, autoStartup = "false")
    void onNotification(ConsumerRecord<String, byte[]> record) {
        Notification notification = EventJson.decode(record.value(), Notification.class);
        String traceparent = Traces.traceparent(record.headers());
        if (deliveries.enqueue(
                        notification, endpoints.subscribed(notification.tenantId(), notification.type()), traceparent)
                > 0) {
            worker.wakeUp();
        }
    }
}
