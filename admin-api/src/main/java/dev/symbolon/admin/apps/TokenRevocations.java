package dev.symbolon.admin.apps;

import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.tenants.Tenant;
import dev.symbolon.admin.tenants.TenantChanges;
import dev.symbolon.admin.tenants.TenantRepository;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.contracts.AuditEvent;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Revocation of single app tokens, asked for by an edge ({@code POST /auth/revoke} there). The
 * revocation joins the tenant's snapshot on {@code tenant-config.v1}, which is how every other edge
 * hears of it, until the token would have expired anyway.
 */
@Service
public class TokenRevocations {

    private final JdbcClient jdbc;
    private final TenantRepository tenants;
    private final AppRepository apps;
    private final TenantChanges changes;
    private final AuditLog audit;
    private final Clock clock = Clock.systemUTC();

    TokenRevocations(
            JdbcClient jdbc, TenantRepository tenants, AppRepository apps, TenantChanges changes, AuditLog audit) {
        this.jdbc = jdbc;
        this.tenants = tenants;
        this.apps = apps;
        this.changes = changes;
        this.audit = audit;
    }

    /**
     * Revokes one token of an app; revoking it again changes nothing.
     *
     * @return whether this call revoked it
     */
    @Transactional
    public boolean revoke(
            String tenantId, String appId, String tokenId, Instant expiresAt, String sourceIp, String requestId) {
        Tenant tenant = tenants.findById(tenantId).orElseThrow(() -> ApiException.notFound("tenant"));
        apps.findById(appId)
                .filter(app -> app.tenantId().equals(tenantId))
                .orElseThrow(() -> ApiException.notFound("app"));
        Instant now = clock.instant();
        if (!expiresAt.isAfter(now)) {
            return false; // already dead: nothing for the edges to remember
        }
        int inserted = jdbc.sql(
                        """
                        insert into revoked_app_token (token_id, tenant_id, app_id, expires_at, revoked_at, revoked_by)
                        values (:id, :t, :app, :exp, :now, :by) on conflict (token_id) do nothing""")
                .param("id", tokenId)
                .param("t", tenantId)
                .param("app", appId)
                .param("exp", Timestamp.from(expiresAt))
                .param("now", Timestamp.from(now))
                .param("by", "app:" + appId)
                .update();
        if (inserted == 0) {
            return false;
        }
        jdbc.sql("delete from revoked_app_token where tenant_id = :t and expires_at < :now")
                .param("t", tenantId)
                .param("now", Timestamp.from(now))
                .update();
        changes.changed(tenant, now);
        audit.record(new AuditEvent(
                UUID.randomUUID(),
                now,
                tenantId,
                AuditEvent.CURRENT_VERSION,
                "app:" + appId,
                "app",
                "app-token.revoked",
                tokenId,
                "edge-proxy",
                sourceIp,
                requestId,
                Map.of("appId", appId, "expiresAt", expiresAt.toString())));
        return true;
    }
}
