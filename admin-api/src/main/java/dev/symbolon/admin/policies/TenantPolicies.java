package dev.symbolon.admin.policies;

import dev.symbolon.admin.apps.AppScope;
import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.audit.Changes;
import dev.symbolon.admin.auth.Access;
import dev.symbolon.admin.auth.Access.Operation;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.tenants.Tenant;
import dev.symbolon.admin.tenants.TenantChanges;
import dev.symbolon.admin.tenants.TenantRepository;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Ids;
import dev.symbolon.admin.web.Page;
import dev.symbolon.contracts.Cidr;
import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Policies (tenant and app) and IP rules (tenant and global). Like every tenant change, each write
 * bumps the tenant's revision, publishes its snapshot and is audited, in one transaction.
 */
@Service
class TenantPolicies {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TenantRepository tenants;
    private final AppScope scope;
    private final PolicyStore policies;
    private final IpRuleStore ipRules;
    private final TenantChanges changes;
    private final AuditLog audit;
    private final Clock clock = Clock.systemUTC();

    TenantPolicies(
            TenantRepository tenants,
            AppScope scope,
            PolicyStore policies,
            IpRuleStore ipRules,
            TenantChanges changes,
            AuditLog audit) {
        this.tenants = tenants;
        this.scope = scope;
        this.policies = policies;
        this.ipRules = ipRules;
        this.changes = changes;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    public Optional<Policy> tenantPolicy(AdminPrincipal actor, String tenantId) {
        scope.tenant(actor, Operation.POLICY_READ, tenantId);
        return policies.ofTenant(tenantId);
    }

    @Transactional(readOnly = true)
    public Optional<Policy> appPolicy(AdminPrincipal actor, String tenantId, String appId) {
        scope.app(actor, Operation.POLICY_READ, tenantId, appId);
        return policies.ofApp(appId);
    }

    /** Replaces the tenant's policy; null removes it. */
    @Transactional
    public Optional<Policy> setTenantPolicy(AdminPrincipal actor, String tenantId, Policy policy) {
        Tenant tenant = scope.tenant(actor, Operation.TENANT_POLICY_WRITE, tenantId);
        Optional<Policy> before = policies.ofTenant(tenantId);
        Instant now = clock.instant();
        policies.put(tenantId, null, policy, now);
        changes.changed(tenant, now);
        audit.record(actor, "policy.updated", tenantId, tenantId, diff(before.orElse(null), policy));
        return Optional.ofNullable(policy);
    }

    /** Replaces the app's policy; null removes it. */
    @Transactional
    public Optional<Policy> setAppPolicy(AdminPrincipal actor, String tenantId, String appId, Policy policy) {
        scope.app(actor, Operation.APP_POLICY_WRITE, tenantId, appId);
        Optional<Policy> before = policies.ofApp(appId);
        Instant now = clock.instant();
        policies.put(tenantId, appId, policy, now);
        changes.changed(tenants.getReferenceById(tenantId), now);
        audit.record(actor, "policy.updated", tenantId, appId, diff(before.orElse(null), policy));
        return Optional.ofNullable(policy);
    }

    /** Rules of a tenant, or the global ones when {@code tenantId} is null. */
    @Transactional(readOnly = true)
    public Page<IpRuleStore.IpRuleView> ipRules(
            AdminPrincipal actor, String tenantId, String cursor, Integer requestedLimit) {
        ipRuleScope(actor, tenantId, tenantId == null ? Operation.GLOBAL_IP_RULE_READ : Operation.IP_RULE_READ);
        int limit = Page.limit(requestedLimit);
        return Page.of(ipRules.list(tenantId, Page.after(cursor), limit + 1), limit, IpRuleStore.IpRuleView::ruleId);
    }

    @Transactional
    public IpRuleStore.IpRuleView addIpRule(
            AdminPrincipal actor, String tenantId, String kind, String cidr, String description) {
        Tenant tenant = ipRuleScope(actor, tenantId, Operation.IP_RULE_WRITE);
        if (!"ALLOW".equals(kind) && !"DENY".equals(kind)) {
            throw ApiException.badRequest("kind must be ALLOW or DENY");
        }
        Cidr network;
        try {
            network = Cidr.parse(cidr);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        Instant now = clock.instant();
        IpRuleStore.IpRuleView rule = new IpRuleStore.IpRuleView(
                Ids.id("ipr_"), tenantId, kind, network.toString(), description, now, actor.subject());
        ipRules.insert(rule);
        published(tenant, now);
        audit.record(
                actor,
                "ip_rule.added",
                tenantId,
                rule.ruleId(),
                Changes.of().put("kind", kind).put("cidr", rule.cidr()).toMap());
        return rule;
    }

    @Transactional
    public void removeIpRule(AdminPrincipal actor, String tenantId, String ruleId) {
        Tenant tenant = ipRuleScope(actor, tenantId, Operation.IP_RULE_WRITE);
        IpRuleStore.IpRuleView rule =
                ipRules.find(tenantId, ruleId).orElseThrow(() -> ApiException.notFound("IP rule"));
        ipRules.delete(ruleId);
        Instant now = clock.instant();
        published(tenant, now);
        audit.record(
                actor,
                "ip_rule.removed",
                tenantId,
                ruleId,
                Changes.of().put("kind", rule.kind()).put("cidr", rule.cidr()).toMap());
    }

    private void published(Tenant tenant, Instant now) {
        if (tenant == null) {
            changes.platformChanged(now);
        } else {
            changes.changed(tenant, now);
        }
    }

    /** The tenant of a tenant rule operation, or null for a global one (after the access check). */
    private Tenant ipRuleScope(AdminPrincipal actor, String tenantId, Operation operation) {
        if (tenantId == null) {
            Access.require(actor, operation);
            if (!Access.seesAllTenants(actor)) {
                throw ApiException.forbidden("Global IP rules are not a tenant's to see or change.");
            }
            return null;
        }
        return scope.tenant(actor, operation, tenantId);
    }

    private static Map<String, String> diff(Policy before, Policy after) {
        return Changes.of()
                .field(
                        "policy",
                        before == null ? null : JSON.writeValueAsString(before),
                        after == null ? null : JSON.writeValueAsString(after))
                .toMap();
    }
}
