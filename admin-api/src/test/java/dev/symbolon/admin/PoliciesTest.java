package dev.symbolon.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.TenantConfigSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import tools.jackson.databind.JsonNode;

/** Policies and IP rules, tenant and global, into the snapshot exactly; invalid ones refused with reasons. */
class PoliciesTest extends AdminApiContextTest {

    @Test
    void a_policy_and_ip_rules_reach_the_tenant_snapshot_exactly() {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("allowedProviders", List.of("openai", "compat:local-llm"));
        policy.put("allowedModels", List.of("gpt-4o*"));
        policy.put("allowedEndpoints", List.of("/chat/completions"));
        policy.put("requestsPerMinute", 600);
        policy.put("costPerMonthUsd", new java.math.BigDecimal("5000.000001"));
        policy.put("alertThresholdsPercent", List.of(100, 50, 80));
        policy.put("maxStreamSeconds", 600);
        policy.put("maxStreamBytes", 33_554_432);
        policy.put("overQuota", "clamp");
        policy.put("byokOnly", true);
        policy.put(
                "fallbacks",
                List.of(Map.of(
                        "model",
                        "gpt-4o*",
                        "targets",
                        List.of(
                                Map.of("provider", "compat:azure-eu", "keyId", "key_azure1"),
                                Map.of("provider", "openai", "model", "gpt-4o-mini")))));
        expect(BOOTSTRAP, HttpMethod.PUT, "/admin/tenants/" + tenantB + "/policy", policy, 200);
        expect(
                BOOTSTRAP,
                HttpMethod.PUT,
                "/admin/tenants/" + tenantB + "/apps/" + appB + "/policy",
                Map.of("tokensPerMinute", 1000),
                200);
        String ruleId = json(expect(
                        tokens.get("security-officer"),
                        HttpMethod.POST,
                        "/admin/tenants/" + tenantB + "/ip-rules",
                        Map.of("kind", "ALLOW", "cidr", "2001:db8::/32", "description", "office"),
                        201))
                .path("ruleId")
                .asString();
        long revision = json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/tenants/" + tenantB, null, 200))
                .path("revision")
                .asLong();

        TenantConfigSnapshot snapshot = awaitSnapshot(tenantB, s -> s.revision() == revision);

        assertThat(snapshot.policy().allowedProviders()).containsExactly("openai", "compat:local-llm");
        assertThat(snapshot.policy().costPerMonthUsd()).isEqualByComparingTo("5000.000001");
        assertThat(snapshot.policy().alertThresholdsPercent()).containsExactly(50, 80, 100);
        assertThat(snapshot.policy().maxStreamSeconds()).isEqualTo(600L);
        assertThat(snapshot.policy().maxStreamBytes()).isEqualTo(33_554_432L);
        assertThat(snapshot.policy().overQuota()).isEqualTo("clamp");
        assertThat(snapshot.policy().requiresOwnKeys()).isTrue();
        assertThat(snapshot.policy().fallbacks()).singleElement().satisfies(f -> assertThat(f.targets())
                .containsExactly(
                        new TenantConfigSnapshot.Target("compat:azure-eu", null, "key_azure1"),
                        new TenantConfigSnapshot.Target("openai", "gpt-4o-mini", null)));
        assertThat(snapshot.apps())
                .filteredOn(a -> a.appId().equals(appB))
                .singleElement()
                .satisfies(a -> assertThat(a.policy().tokensPerMinute()).isEqualTo(1000L));
        assertThat(snapshot.ipRules().allow()).contains("2001:db8:0:0:0:0:0:0/32");

        expect(
                tokens.get("security-officer"),
                HttpMethod.DELETE,
                "/admin/tenants/" + tenantB + "/ip-rules/" + ruleId,
                null,
                204);
        long after = json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/tenants/" + tenantB, null, 200))
                .path("revision")
                .asLong();
        assertThat(awaitSnapshot(tenantB, s -> s.revision() == after).ipRules().allow())
                .doesNotContain("2001:db8:0:0:0:0:0:0/32");
    }

    @Test
    void global_ip_rules_travel_as_the_platform_snapshot() {
        expect(BOOTSTRAP, HttpMethod.POST, "/admin/ip-rules", Map.of("kind", "DENY", "cidr", "100.64.0.0/10"), 201);

        TenantConfigSnapshot platform =
                awaitSnapshot("_platform", s -> s.ipRules().deny().contains("100.64.0.0/10"));

        assertThat(platform.apps()).isEmpty();
    }

    @Test
    void invalid_policies_and_rules_are_refused_with_reasons() {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("allowedProviders", List.of("openia"));
        policy.put("allowedEndpoints", List.of("/../admin"));
        policy.put("requestsPerMinute", -1);
        policy.put("costPerDayUsd", new java.math.BigDecimal("1.0000001"));
        policy.put("alertThresholdsPercent", List.of(0, 150));
        policy.put("maxStreamSeconds", 86_401);
        policy.put("maxStreamBytes", 0);
        policy.put("overQuota", "maybe");
        JsonNode error = json(expect(BOOTSTRAP, HttpMethod.PUT, "/admin/tenants/" + tenantA + "/policy", policy, 400));
        assertThat(error.path("error").path("fields").findValuesAsString("field"))
                .anyMatch(f -> f.startsWith("allowedProviders"))
                .anyMatch(f -> f.startsWith("allowedEndpoints"))
                .contains("requestsPerMinute", "costPerDayUsd", "maxStreamSeconds", "maxStreamBytes", "overQuota")
                .anyMatch(f -> f.startsWith("alertThresholdsPercent"));
        Map<String, Object> badFallbacks = Map.of(
                "fallbacks",
                List.of(
                        Map.of("model", "gpt-4o*", "targets", List.of()),
                        Map.of(
                                "model",
                                "x y",
                                "targets",
                                List.of(Map.of("provider", "openia", "keyId", "sk-live-1")))));
        JsonNode fallbackError =
                json(expect(BOOTSTRAP, HttpMethod.PUT, "/admin/tenants/" + tenantA + "/policy", badFallbacks, 400));
        assertThat(fallbackError.path("error").path("fields").findValuesAsString("field"))
                .contains("fallbacks[0].targets", "fallbacks[1].model", "fallbacks[1].targets[0].provider")
                .contains("fallbacks[1].targets[0].keyId");
        assertThat(fallbackError.toString()).doesNotContain("sk-live-1");
        String notABoolean = new String(expect(
                BOOTSTRAP,
                HttpMethod.PUT,
                "/admin/tenants/" + tenantA + "/policy",
                Map.of("byokOnly", "sometimes"),
                400));
        assertThat(notABoolean).contains("'byokOnly' is not of the expected type");

        JsonNode hostBits = json(expect(
                BOOTSTRAP,
                HttpMethod.POST,
                "/admin/tenants/" + tenantA + "/ip-rules",
                Map.of("kind", "DENY", "cidr", "10.1.2.3/8"),
                400));
        assertThat(hostBits.path("error").path("message").asString()).contains("10.0.0.0/8");
        expect(
                BOOTSTRAP,
                HttpMethod.POST,
                "/admin/tenants/" + tenantA + "/ip-rules",
                Map.of("kind", "DENY", "cidr", "example.com"),
                400);
        expect(
                BOOTSTRAP,
                HttpMethod.POST,
                "/admin/tenants/" + tenantA + "/ip-rules",
                Map.of("kind", "MAYBE", "cidr", "10.0.0.0/8"),
                400);
    }
}
