package dev.symbolon.admin.policies;

import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Policy documents of tenants and apps, as the JSON of the contract's {@link Policy}. */
@Repository
public class PolicyStore {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;

    PolicyStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Policy> ofTenant(String tenantId) {
        return jdbc.sql("select document from policy where tenant_id = :t and app_id is null")
                .param("t", tenantId)
                .query((rs, n) -> JSON.readValue(rs.getString(1), Policy.class))
                .optional();
    }

    public Optional<Policy> ofApp(String appId) {
        return jdbc.sql("select document from policy where app_id = :a")
                .param("a", appId)
                .query((rs, n) -> JSON.readValue(rs.getString(1), Policy.class))
                .optional();
    }

    /** Sets (or, with null, removes) the policy of a tenant ({@code appId} null) or of an app. */
    void put(String tenantId, String appId, Policy policy, Instant now) {
        if (appId == null) {
            jdbc.sql("delete from policy where tenant_id = :t and app_id is null")
                    .param("t", tenantId)
                    .update();
        } else {
            jdbc.sql("delete from policy where app_id = :a").param("a", appId).update();
        }
        if (policy != null) {
            jdbc.sql("insert into policy (tenant_id, app_id, document, updated_at)"
                            + " values (:t, :a, cast(:d as jsonb), :now)")
                    .param("t", tenantId)
                    .param("a", appId)
                    .param("d", JSON.writeValueAsString(policy))
                    .param("now", Timestamp.from(now))
                    .update();
        }
    }
}
