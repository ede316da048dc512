package dev.symbolon.edge.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.TenantConfigSnapshot.IpRules;
import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class EffectivePolicyTest {

    @Test
    void an_app_narrows_its_tenant_and_never_widens_it() {
        EffectivePolicy policy = EffectivePolicy.of(
                policy(List.of("openai", "anthropic"), null, null, null),
                policy(List.of("openai", "groq"), null, null, null),
                null);

        assertThat(policy.allowsProvider("openai")).isTrue();
        assertThat(policy.allowsProvider("anthropic"))
                .as("the app does not allow it")
                .isFalse();
        assertThat(policy.allowsProvider("groq"))
                .as("the tenant does not allow it")
                .isFalse();
    }

    @Test
    void endpoints_match_by_whole_segments() {
        EffectivePolicy policy =
                EffectivePolicy.of(policy(null, List.of("/chat/completions", "/models"), null, null), null, null);

        assertThat(policy.allowsEndpoint("/chat/completions")).isTrue();
        assertThat(policy.allowsEndpoint("/models/gpt-4o")).isTrue();
        assertThat(policy.allowsEndpoint("/chat/completions-x")).isFalse();
        assertThat(policy.allowsEndpoint("/chat")).isFalse();
        assertThat(policy.allowsEndpoint("/embeddings")).isFalse();
    }

    @Test
    void models_match_globs_and_a_request_without_a_model_passes() {
        EffectivePolicy policy =
                EffectivePolicy.of(policy(null, null, List.of("gpt-4o*", "claude-?-haiku"), null), null, null);

        assertThat(policy.allowsModel("gpt-4o")).isTrue();
        assertThat(policy.allowsModel("gpt-4o-mini")).isTrue();
        assertThat(policy.allowsModel("claude-3-haiku")).isTrue();
        assertThat(policy.allowsModel("gpt-4.1")).isFalse();
        assertThat(policy.allowsModel("xgpt-4o")).isFalse();
        assertThat(policy.allowsModel("gpt.4o")).as("dots are literal").isFalse();
        assertThat(policy.allowsModel(null)).isTrue();
    }

    @Test
    void the_smallest_body_limit_wins() {
        assertThat(EffectivePolicy.of(policy(null, null, null, 1000L), policy(null, null, null, 500L), null)
                        .maxBodyBytes())
                .isEqualTo(500L);
        assertThat(EffectivePolicy.of(policy(null, null, null, null), policy(null, null, null, 500L), null)
                        .maxBodyBytes())
                .isEqualTo(500L);
        assertThat(EffectivePolicy.OPEN.maxBodyBytes()).isNull();
    }

    @Test
    void deny_wins_and_an_allow_list_refuses_everything_else() throws Exception {
        EffectivePolicy policy = EffectivePolicy.of(
                null, null, new IpRules(List.of("203.0.113.0/24", "2001:db8::/32"), List.of("203.0.113.66/32")));

        assertThat(policy.allowsAddress(InetAddress.getByName("203.0.113.10"))).isTrue();
        assertThat(policy.allowsAddress(InetAddress.getByName("2001:db8::5"))).isTrue();
        assertThat(policy.allowsAddress(InetAddress.getByName("203.0.113.66"))).isFalse();
        assertThat(policy.allowsAddress(InetAddress.getByName("198.51.100.1"))).isFalse();
        assertThat(EffectivePolicy.OPEN.allowsAddress(InetAddress.getByName("198.51.100.1")))
                .isTrue();
    }

    private static Policy policy(List<String> providers, List<String> endpoints, List<String> models, Long maxBody) {
        return Policy.builder()
                .allowedProviders(providers)
                .allowedModels(models)
                .allowedEndpoints(endpoints)
                .maxBodyBytes(maxBody)
                .build();
    }
}
