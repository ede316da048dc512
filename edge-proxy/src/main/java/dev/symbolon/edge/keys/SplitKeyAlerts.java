package dev.symbolon.edge.keys;

import dev.symbolon.contracts.AuditEvent;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.auth.AppIdentity;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.events.SideEvents;
import dev.symbolon.support.web.LogContext;
import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Tells the tenant's security team, through {@code audit.v1}, that split-key attempts were refused
 * often enough to be limited: once per lockout, with the app and the address they came from (sent off
 * the request path: {@link SideEvents}).
 */
@Component
class SplitKeyAlerts {

    static final String ACTION = "split_key.failures_limited";

    private static final Logger log = LoggerFactory.getLogger(SplitKeyAlerts.class);

    private final SideEvents events;

    SplitKeyAlerts(SideEvents events) {
        this.events = events;
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
        events.send(Topics.AUDIT, tripped.tenantId(), EventJson.encode(event), "a split-key alert");
    }
}
