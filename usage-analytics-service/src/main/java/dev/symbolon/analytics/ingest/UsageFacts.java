package dev.symbolon.analytics.ingest;

import dev.symbolon.contracts.UsageRecorded;
import java.sql.Timestamp;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Writes usage facts; writing the same event twice stores it once. */
@Repository
class UsageFacts {

    private final JdbcClient jdbc;

    UsageFacts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @return true when the event was new */
    boolean insert(UsageRecorded event) {
        int rows = jdbc.sql(
                        """
                        insert into usage_fact (event_id, occurred_at, tenant_id, app_id, key_id, key_kind,
                            provider, model, endpoint, status, outcome, input_tokens, output_tokens,
                            cached_input_tokens, streamed, partial, latency_ms, overhead_ms, request_id)
                        values (:eventId, :occurredAt, :tenantId, :appId, :keyId, :keyKind,
                            :provider, :model, :endpoint, :status, :outcome, :inputTokens, :outputTokens,
                            :cachedInputTokens, :streamed, :partial, :latencyMs, :overheadMs, :requestId)
                        on conflict (event_id) do nothing
                        """)
                .param("eventId", event.eventId())
                .param("occurredAt", Timestamp.from(event.occurredAt()))
                .param("tenantId", event.tenantId())
                .param("appId", event.appId())
                .param("keyId", event.keyId())
                .param("keyKind", event.keyKind())
                .param("provider", event.provider())
                .param("model", event.model())
                .param("endpoint", event.endpoint())
                .param("status", event.status())
                .param("outcome", event.outcome().name())
                .param("inputTokens", event.inputTokens())
                .param("outputTokens", event.outputTokens())
                .param("cachedInputTokens", event.cachedInputTokens())
                .param("streamed", event.streamed())
                .param("partial", event.partial())
                .param("latencyMs", event.latencyMs())
                .param("overheadMs", event.overheadMs())
                .param("requestId", event.requestId())
                .update();
        return rows == 1;
    }
}
