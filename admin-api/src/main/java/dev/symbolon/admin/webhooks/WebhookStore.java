package dev.symbolon.admin.webhooks;

import dev.symbolon.contracts.TenantConfigSnapshot;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Webhook endpoints of tenants (never their secrets). */
@Repository
public class WebhookStore {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final JdbcClient jdbc;

    WebhookStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<WebhookView> list(String tenantId, String after, int limit) {
        return jdbc.sql("select * from webhook_endpoint where tenant_id = :t and endpoint_id > :after"
                        + " order by endpoint_id limit :limit")
                .param("t", tenantId)
                .param("after", after)
                .param("limit", limit)
                .query((rs, n) -> read(rs))
                .list();
    }

    Optional<WebhookView> find(String tenantId, String endpointId) {
        return jdbc.sql("select * from webhook_endpoint where tenant_id = :t and endpoint_id = :e")
                .param("t", tenantId)
                .param("e", endpointId)
                .query((rs, n) -> read(rs))
                .optional();
    }

    /** The endpoints as the dispatcher needs them. */
    public List<TenantConfigSnapshot.WebhookEndpoint> forSnapshot(String tenantId) {
        return list(tenantId, "", Integer.MAX_VALUE).stream()
                .map(w -> new TenantConfigSnapshot.WebhookEndpoint(w.endpointId(), w.url(), w.eventTypes(), w.active()))
                .toList();
    }

    void save(WebhookView endpoint) {
        jdbc.sql("delete from webhook_endpoint where endpoint_id = :e")
                .param("e", endpoint.endpointId())
                .update();
        jdbc.sql("insert into webhook_endpoint (endpoint_id, tenant_id, url, event_types, active, secret_version,"
                        + " created_at, updated_at) values (:e, :t, :url, cast(:types as jsonb), :active, :v, :created,"
                        + " :updated)")
                .param("e", endpoint.endpointId())
                .param("t", endpoint.tenantId())
                .param("url", endpoint.url())
                .param("types", JSON.writeValueAsString(endpoint.eventTypes()))
                .param("active", endpoint.active())
                .param("v", endpoint.secretVersion())
                .param("created", Timestamp.from(endpoint.createdAt()))
                .param("updated", Timestamp.from(endpoint.updatedAt()))
                .update();
    }

    void delete(String endpointId) {
        jdbc.sql("delete from webhook_endpoint where endpoint_id = :e")
                .param("e", endpointId)
                .update();
    }

    private static WebhookView read(ResultSet rs) throws SQLException {
        return new WebhookView(
                rs.getString("endpoint_id"),
                rs.getString("tenant_id"),
                rs.getString("url"),
                JSON.readValue(rs.getString("event_types"), STRINGS),
                rs.getBoolean("active"),
                rs.getInt("secret_version"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    /** A webhook endpoint as the API shows it. */
    public record WebhookView(
            String endpointId,
            String tenantId,
            String url,
            List<String> eventTypes,
            boolean active,
            int secretVersion,
            Instant createdAt,
            Instant updatedAt) {}
}
