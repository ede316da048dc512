package dev.symbolon.edge.keys;

import dev.symbolon.contracts.AuditEvent;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.support.web.LogContext;
import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Tells the tenant's security team, through {@code audit.v1}, that split-key attempts were refused
 * often enough to be limited: once per lockout, with the app and the address they came from. Sent
 * from a thread of its own (a send may wait for broker metadata; the request path must not), through
 * a bounded queue: when the queue is full the entry is logged, never waited for.
 */
@Component
class SplitKeyAlerts implements DisposableBean {

    static final String ACTION = "split_key.failures_limited";

    private static final Logger log = LoggerFactory.getLogger(SplitKeyAlerts.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(1_000),
            runnable -> {
                Thread thread = new Thread(runnable, "split-key-alerts");
                thread.setDaemon(true);
                return thread;
            },
            (runnable, executor) -> log.warn("split-key alert queue full; an alert was not sent"));

    SplitKeyAlerts(KafkaTemplate<String, byte[]> kafka) {
        this.kafka = kafka;
    }

    void tripped(SplitKeyFailures.Tripped tripped, AppIdentity app, ProxyCall.Request request) {
        InetAddress clientAddress = request.clientAddress();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("limit", tripped.scope().limitName());
        details.put("failures", Integer.toString(tripped.failures()));
        details.put("per", tripped.per().toString());
        details.put("appId", app.appId());
        AuditEvent event = new AuditEvent(
                UUID.randomUUID(),
                Instant.now(),
                tripped.tenantId(),
                AuditEvent.CURRENT_VERSION,
                app.appId(),
                "app",
                ACTION,
                tripped.keyId() != null ? tripped.keyId() : tripped.tenantId(),
                "edge-proxy",
                clientAddress == null ? null : clientAddress.getHostAddress(),
                request.requestId(),
                details);
        LogContext.logging(
                request.requestId(),
                request.trace(),
                () -> log.warn(
                        "split-key attempts limited ({}) for tenant {} app {}",
                        tripped.scope().limitName(),
                        tripped.tenantId(),
                        app.appId()));
        sender.execute(() -> {
            try {
                kafka.send(Topics.AUDIT, tripped.tenantId(), EventJson.encode(event));
            } catch (RuntimeException e) {
                log.warn("could not send a split-key alert: {}", e.toString());
            }
        });
    }

    @Override
    public void destroy() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(5, TimeUnit.SECONDS);
    }
}
