package dev.symbolon.admin.policies;

import dev.symbolon.contracts.TenantConfigSnapshot.IpRules;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** CIDR rules of a tenant, or global ones ({@code tenantId} null), and the platform revision. */
@Repository
public class IpRuleStore {

    private final JdbcClient jdbc;

    IpRuleStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<IpRuleView> list(String tenantId, String after, int limit) {
        return jdbc.sql("select * from ip_rule where tenant_id is not distinct from :t and rule_id > :after"
                        + " order by rule_id limit :limit")
                .param("t", tenantId)
                .param("after", after)
                .param("limit", limit)
                .query((rs, n) -> new IpRuleView(
                        rs.getString("rule_id"),
                        rs.getString("tenant_id"),
                        rs.getString("kind"),
                        rs.getString("cidr"),
                        rs.getString("description"),
                        rs.getTimestamp("created_at").toInstant(),
                        rs.getString("created_by")))
                .list();
    }

    Optional<IpRuleView> find(String tenantId, String ruleId) {
        return list(tenantId, "", Integer.MAX_VALUE).stream()
                .filter(r -> r.ruleId().equals(ruleId))
                .findFirst();
    }

    /** The rules as the edge needs them. */
    public IpRules rules(String tenantId) {
        List<IpRuleView> all = list(tenantId, "", Integer.MAX_VALUE);
        return new IpRules(
                all.stream()
                        .filter(r -> r.kind().equals("ALLOW"))
                        .map(IpRuleView::cidr)
                        .toList(),
                all.stream()
                        .filter(r -> r.kind().equals("DENY"))
                        .map(IpRuleView::cidr)
                        .toList());
    }

    void insert(IpRuleView rule) {
        jdbc.sql("insert into ip_rule (rule_id, tenant_id, kind, cidr, description, created_at, created_by)"
                        + " values (:id, :t, :kind, :cidr, :description, :at, :by)")
                .param("id", rule.ruleId())
                .param("t", rule.tenantId())
                .param("kind", rule.kind())
                .param("cidr", rule.cidr())
                .param("description", rule.description())
                .param("at", Timestamp.from(rule.createdAt()))
                .param("by", rule.createdBy())
                .update();
    }

    void delete(String ruleId) {
        jdbc.sql("delete from ip_rule where rule_id = :id").param("id", ruleId).update();
    }

    public long nextPlatformRevision() {
        return jdbc.sql("update platform_config set revision = revision + 1 where id = 1 returning revision")
                .query(Long.class)
                .single();
    }

    /** An IP rule as the API shows it. */
    public record IpRuleView(
            String ruleId,
            String tenantId,
            String kind,
            String cidr,
            String description,
            Instant createdAt,
            String createdBy) {}
}
