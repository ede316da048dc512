package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Notification;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.contracts.UsageRecorded.Outcome;
import dev.symbolon.edge.keys.ProviderKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * Key pools: requests spread by weight over the healthy keys of a provider's server-key pool; before
 * its first byte reaches the client a request moves to another key on a 429, a 5xx or a timeout,
 * never on a client error, a connect failure or after the first byte; each attempt is metered on its
 * own, and a request counts once against quotas.
 */
class RoutingTest extends EdgeContextTest {

    private static final String OK =
            "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}";

    @Autowired
    MeterRegistry registry;

    @Test
    void a_thousand_requests_spread_over_a_pool_by_weight() {
        String key = tenantWithPolicy("t_spread", null);
        Map<String, String> keys = pool("spread", 3);
        stubPool("openai", "t_spread", keys, Map.of(id("spread", 0), 5, id("spread", 1), 3, id("spread", 2), 2));

        WebClient web = WebClient.create("http://localhost:" + port);
        List<String> servedBy = Flux.range(0, 1000)
                .flatMap(
                        i -> web.post()
                                .uri("/openai/v1/chat/completions")
                                .header("Authorization", "Bearer " + key)
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue("{\"model\":\"gpt-4o-mini\"}")
                                .retrieve()
                                .toBodilessEntity()
                                .map(r -> r.getHeaders().getFirst("x-symbolon-served-by")),
                        8)
                .collectList()
                .block(Duration.ofSeconds(120));

        // Smooth weighted round robin: 500 / 300 / 200 exactly over whole cycles; stated tolerance ±1 %.
        assertThat(upstreamCalls(keys.get(id("spread", 0)))).isBetween(490, 510);
        assertThat(upstreamCalls(keys.get(id("spread", 1)))).isBetween(290, 310);
        assertThat(upstreamCalls(keys.get(id("spread", 2)))).isBetween(190, 210);
        assertThat(servedBy)
                .hasSize(1000)
                .allMatch(header -> header.matches("key=key_spread_[012]; target=openai; attempt=1"));
    }

    @Test
    void a_429_moves_the_request_to_the_next_key_and_leaves_the_first_alone_until_its_reset() {
        String key = tenantWithPolicy("t_ratelimited", null);
        Map<String, String> keys = pool("rl", 2);
        stubPool("openai", "t_ratelimited", keys, Map.of());
        String limited = keys.get(id("rl", 0));
        // the provider echoes the key in its error: the client must never see it
        answer(
                limited,
                aResponse()
                        .withStatus(429)
                        .withHeader("retry-after", "30")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"Rate limit reached for key " + limited + "\"}}"));
        answer(keys.get(id("rl", 1)), okJson(OK));
        double cooldownsBefore = cooldowns("rate_limited");

        EntityExchangeResult<String> first = chat(key);

        assertThat(first.getStatus().value()).isEqualTo(200);
        assertThat(first.getResponseBody()).doesNotContain(limited);
        assertThat(first.getResponseHeaders().getFirst("x-symbolon-served-by"))
                .isEqualTo("key=key_rl_1; target=openai; attempt=2");
        String requestId = first.getResponseHeaders().getFirst("x-request-id");
        List<UsageRecorded> attempts = awaitUsages(e -> requestId.equals(e.requestId()), 2);
        assertThat(attempts)
                .extracting(
                        UsageRecorded::keyId,
                        UsageRecorded::attempt,
                        UsageRecorded::status,
                        UsageRecorded::outcome,
                        UsageRecorded::failedOver)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("key_rl_0", 1, 429, Outcome.UPSTREAM_ERROR, true),
                        org.assertj.core.groups.Tuple.tuple("key_rl_1", 2, 200, Outcome.SUCCESS, false));
        assertThat(attempts).allMatch(e -> e.tenantId().equals("t_ratelimited"));

        for (int i = 0; i < 4; i++) {
            EntityExchangeResult<String> next = chat(key);
            assertThat(next.getResponseHeaders().getFirst("x-symbolon-served-by"))
                    .as("the limited key is left alone for the 30 s it asked")
                    .isEqualTo("key=key_rl_1; target=openai; attempt=1");
        }
        assertThat(upstreamCalls(limited)).isEqualTo(1);
        assertThat(cooldowns("rate_limited")).isEqualTo(cooldownsBefore + 1);
    }

    @Test
    void a_key_failing_in_a_row_is_cooled_down_and_comes_back_through_a_probe() {
        String key = tenantWithPolicy("t_failing", null);
        Map<String, String> keys = pool("fail", 2);
        stubPool("openai", "t_failing", keys, Map.of());
        String failing = keys.get(id("fail", 0));
        answer(failing, aResponse().withStatus(503).withBody("overloaded"));
        answer(keys.get(id("fail", 1)), okJson(OK));
        double cooldownsBefore = cooldowns("failing");

        // three requests meet the failing key first (every other pick is it) and are served by the other
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            assertThat(chat(key).getStatus().value()).isEqualTo(200);
            return upstreamCalls(failing) >= 3;
        });
        assertThat(cooldowns("failing")).isEqualTo(cooldownsBefore + 1);
        assertThat(registry.get("symbolon.edge.keys.cooling")
                        .tag("provider", "openai")
                        .gauge()
                        .value())
                .isGreaterThanOrEqualTo(1);

        // the key recovers; after its 1 s cooldown one probe finds it healthy and it serves again
        answer(failing, okJson(OK));
        await().atMost(Duration.ofSeconds(20)).until(() -> "key=key_fail_0; target=openai; attempt=1"
                .equals(chat(key).getResponseHeaders().getFirst("x-symbolon-served-by")));
        assertThat(upstreamCalls(failing)).isEqualTo(4);
    }

    @Test
    void a_key_that_stays_unhealthy_is_reported_to_its_owner_once_through_the_webhooks() {
        String key = tenantWithPolicy("t_sick", null);
        Map<String, String> keys = pool("sick", 2);
        stubPool("openai", "t_sick", keys, Map.of());
        String sick = keys.get(id("sick", 0));
        answer(sick, aResponse().withStatus(503));
        answer(keys.get(id("sick", 1)), okJson(OK));

        // three failures open it; after its 1 s cooldown the probe fails too: it stays unhealthy
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            assertThat(chat(key).getStatus().value()).isEqualTo(200);
            return upstreamCalls(sick) >= 4;
        });

        String notice = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> rawRecords(Topics.NOTIFICATION).stream()
                                .filter(json -> json.contains("\"key.cooled_down\"") && json.contains("key_sick_0"))
                                .toList(),
                        found -> !found.isEmpty())
                .get(0);
        Notification decoded = EventJson.decode(notice, Notification.class);
        assertThat(decoded.tenantId())
                .as("a server key's owner is the operator")
                .isEqualTo("_platform");
        assertThat(decoded.data())
                .containsEntry("keyId", "key_sick_0")
                .containsEntry("provider", "openai")
                .containsEntry("reason", "failing")
                .containsEntry("cooldownSeconds", 2);
        assertThat(notice).doesNotContain(sick).doesNotContain("sk-sick");
    }

    @Test
    void a_timeout_moves_the_request_to_the_next_key_within_the_deadline() {
        String key = tenantWithPolicy("t_slow", null);
        Map<String, String> keys = pool("slow", 2);
        stubPool("openai", "t_slow", keys, Map.of());
        answer(keys.get(id("slow", 0)), okJson(OK).withFixedDelay(6_000));
        answer(keys.get(id("slow", 1)), okJson(OK));

        long start = System.nanoTime();
        EntityExchangeResult<String> result = chat(key);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result.getStatus().value()).isEqualTo(200);
        assertThat(result.getResponseHeaders().getFirst("x-symbolon-served-by")).endsWith("attempt=2");
        assertThat(took).as("the 2 s attempt timeout, not the slow key's 6 s").isLessThan(Duration.ofSeconds(5));
        String requestId = result.getResponseHeaders().getFirst("x-request-id");
        assertThat(awaitUsages(e -> requestId.equals(e.requestId()) && e.failedOver(), 1)
                        .get(0))
                .extracting(UsageRecorded::status, UsageRecorded::outcome, UsageRecorded::keyId)
                .containsExactly(504, Outcome.UPSTREAM_UNAVAILABLE, "key_slow_0");
    }

    @Test
    void a_client_that_leaves_while_an_attempt_is_pending_is_metered_once_and_no_other_key_is_called() {
        String key = tenantWithPolicy("t_leavepool", null);
        Map<String, String> keys = pool("leave", 2);
        stubPool("openai", "t_leavepool", keys, Map.of());
        answer(keys.get(id("leave", 0)), okJson(OK).withFixedDelay(4_000));
        answer(keys.get(id("leave", 1)), okJson(OK));

        String left = WebClient.create("http://localhost:" + port)
                .post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"gpt-4o-mini\"}")
                .retrieve()
                .toBodilessEntity()
                .timeout(Duration.ofMillis(500), reactor.core.publisher.Mono.empty())
                .then(reactor.core.publisher.Mono.just("left"))
                .block(Duration.ofSeconds(10));
        assertThat(left).isEqualTo("left");

        UsageRecorded event = awaitUsageWhere(e -> "t_leavepool".equals(e.tenantId()));
        assertThat(event.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(event.attempt()).isEqualTo(1);
        assertThat(event.failedOver()).isFalse();
        // throughout and past the 2 s attempt timeout: no fail-over to the other key, no second event
        await().during(Duration.ofMillis(2_500))
                .atMost(Duration.ofSeconds(6))
                .until(() -> upstreamCalls(keys.get(id("leave", 1))) == 0
                        && rawRecords(Topics.USAGE_RECORDED).stream()
                                        .filter(json -> json.contains("\"t_leavepool\""))
                                        .count()
                                == 1);
    }

    @Test
    void attempts_are_bounded_and_the_last_answer_is_the_clients() {
        String key = tenantWithPolicy("t_down", null);
        Map<String, String> keys = pool("down", 4);
        stubPool("openai", "t_down", keys, Map.of());
        keys.values().forEach(value -> answer(value, aResponse().withStatus(500).withBody("{\"error\":\"down\"}")));

        EntityExchangeResult<String> result = chat(key);

        assertThat(result.getStatus().value()).isEqualTo(500);
        assertThat(result.getResponseHeaders().getFirst("x-symbolon-served-by")).endsWith("attempt=3");
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .hasSize(3);
        String requestId = result.getResponseHeaders().getFirst("x-request-id");
        List<UsageRecorded> events = awaitUsages(e -> requestId.equals(e.requestId()), 3);
        assertThat(events).extracting(UsageRecorded::failedOver).containsExactlyInAnyOrder(true, true, false);
        assertThat(events).extracting(UsageRecorded::keyId).doesNotHaveDuplicates();
    }

    @Test
    void a_client_error_is_never_retried_on_another_key() {
        String key = tenantWithPolicy("t_badreq", null);
        Map<String, String> keys = pool("bad", 2);
        stubPool("openai", "t_badreq", keys, Map.of());
        keys.values()
                .forEach(value -> answer(
                        value,
                        aResponse()
                                .withStatus(400)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"error\":{\"message\":\"messages is required\"}}")));

        EntityExchangeResult<String> result = chat(key);

        assertThat(result.getStatus().value()).isEqualTo(400);
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .hasSize(1);
        String requestId = result.getResponseHeaders().getFirst("x-request-id");
        UsageRecorded event = awaitUsage(requestId);
        assertThat(event.attempt()).isEqualTo(1);
        assertThat(event.failedOver()).isFalse();
    }

    @Test
    void a_stream_cut_after_its_first_byte_is_not_retried() {
        String key = tenantWithPolicy("t_cutpool", null);
        stubPool("compat:cut", "t_cutpool", pool("cut", 2), Map.of());

        EntityExchangeResult<String> result =
                send("/compat/cut/v1/chat/completions", key, "{\"model\":\"m\",\"stream\":true}");

        assertThat(result.getResponseBody()).contains("\"a\"").contains("upstream_interrupted");
        assertThat(result.getResponseHeaders().getFirst("x-symbolon-served-by")).endsWith("attempt=1");
        String requestId = result.getResponseHeaders().getFirst("x-request-id");
        UsageRecorded event = awaitUsage(requestId);
        assertThat(event.attempt()).isEqualTo(1);
        assertThat(event.partial()).isTrue();
    }

    @Test
    void a_provider_that_cannot_be_reached_is_not_retried_with_another_key_of_the_same_host() {
        String key = tenantWithPolicy("t_closed", null);
        stubPool("compat:closed", "t_closed", pool("closed", 2), Map.of());

        EntityExchangeResult<String> result = send("/compat/closed/v1/chat/completions", key, "{\"model\":\"m\"}");

        assertThat(result.getStatus().value()).isEqualTo(502);
        assertThat(result.getResponseBody()).contains("upstream_unreachable");
        String requestId = result.getResponseHeaders().getFirst("x-request-id");
        UsageRecorded event = awaitUsage(requestId);
        assertThat(event.attempt()).isEqualTo(1);
        assertThat(event.failedOver()).isFalse();
    }

    @Test
    void a_tenants_own_key_never_fails_over_to_the_operators_keys() {
        String managed = "sk-managed-pool-canary-" + UUID.randomUUID();
        String keyId = "key_mpl" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        stubTenantKeyJson(keyId, "t_acme", "openai", "managed", 1, managed, List.of());
        answer(managed, aResponse().withStatus(429).withHeader("retry-after", "5"));
        answer(OPENAI_KEY, okJson(OK));

        EntityExchangeResult<String> result =
                send("/openai/v1/chat/completions", CREDENTIAL, "{}", ProviderKeys.KEY_ID, keyId);

        assertThat(result.getStatus().value()).isEqualTo(429);
        assertThat(result.getResponseHeaders().getFirst("x-symbolon-served-by")).startsWith("key=" + keyId + ";");
        assertThat(upstreamCalls(OPENAI_KEY)).isZero();
    }

    @Test
    void a_byok_only_tenant_is_served_by_its_own_managed_keys_by_weight_and_never_by_the_operators() {
        String key = tenantWithPolicy(
                "t_byokonly",
                TenantConfigSnapshot.Policy.builder().byokOnly(true).build());
        Map<String, String> keys = pool("own", 2);
        stubOwnPool("t_byokonly", "openai", keys, Map.of(id("own", 0), 3, id("own", 1), 1));
        answer(OPENAI_KEY, okJson(OK));

        for (int i = 0; i < 40; i++) {
            EntityExchangeResult<String> result = chat(key);
            assertThat(result.getStatus().value()).isEqualTo(200);
            assertThat(result.getResponseHeaders().getFirst("x-symbolon-served-by"))
                    .startsWith("key=key_own_");
        }

        assertThat(upstreamCalls(keys.get(id("own", 0)))).isEqualTo(30);
        assertThat(upstreamCalls(keys.get(id("own", 1)))).isEqualTo(10);
        assertThat(upstreamCalls(OPENAI_KEY)).as("the operator's key").isZero();
        String requestId = chat(key).getResponseHeaders().getFirst("x-request-id");
        assertThat(awaitUsage(requestId).keyKind()).isEqualTo("managed");

        // its own keys fail over to each other, never to the operator's
        answer(keys.get(id("own", 0)), aResponse().withStatus(429).withHeader("retry-after", "30"));
        answer(keys.get(id("own", 1)), aResponse().withStatus(429).withHeader("retry-after", "30"));
        EntityExchangeResult<String> limited = chat(key);
        assertThat(limited.getStatus().value()).isEqualTo(429);
        assertThat(upstreamCalls(OPENAI_KEY)).isZero();
    }

    @Test
    void a_byok_only_tenant_without_a_key_of_its_own_is_refused_and_nothing_reaches_a_provider() {
        String key = tenantWithPolicy(
                "t_byoknone",
                TenantConfigSnapshot.Policy.builder().byokOnly(true).build());
        upstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                        com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(
                                "/internal/v1/tenants/t_byoknone/key-pools/openai"))
                .willReturn(aResponse().withStatus(404)));

        EntityExchangeResult<String> result = chat(key);

        assertThat(result.getStatus().value()).isEqualTo(403);
        assertThat(result.getResponseBody()).contains("byok_required").doesNotContain(OPENAI_KEY);
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .isEmpty();
    }

    @Test
    void a_request_that_failed_over_counts_once_against_a_request_quota() {
        String key = tenantWithPolicy(
                "t_quotapool",
                TenantConfigSnapshot.Policy.builder().requestsPerDay(2L).build());
        Map<String, String> keys = pool("quota", 2);
        stubPool("openai", "t_quotapool", keys, Map.of());
        answer(keys.get(id("quota", 0)), aResponse().withStatus(503));
        answer(keys.get(id("quota", 1)), okJson(OK));

        EntityExchangeResult<String> first = chat(key);
        EntityExchangeResult<String> second = chat(key);
        EntityExchangeResult<String> third = chat(key);

        assertThat(first.getResponseHeaders().getFirst("x-symbolon-served-by")).endsWith("attempt=2");
        assertThat(second.getResponseHeaders().getFirst("x-symbolon-served-by")).endsWith("attempt=2");
        assertThat(second.getStatus().value())
                .as("4 provider calls, 2 requests")
                .isEqualTo(200);
        assertThat(third.getStatus().value()).isEqualTo(429);
        assertThat(third.getResponseBody()).contains("quota_exceeded");
    }

    @Test
    void when_its_providers_keys_are_spent_a_request_goes_to_its_fallback_target_as_the_model_named_there() {
        String key = tenantWithPolicy("t_fallback", fallbacks("gpt-4o*", target("compat:backup", "gpt-4o-mini", null)));
        Map<String, String> primary = pool("primary", 1);
        Map<String, String> backup = pool("backup", 1);
        stubPool("openai", "t_fallback", primary, Map.of());
        stubPool("compat:backup", "t_fallback", backup, Map.of());
        answer(primary.get(id("primary", 0)), aResponse().withStatus(503));
        upstream.stubFor(post(urlEqualTo("/backup/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + backup.get(id("backup", 0))))
                .willReturn(okJson(OK)));

        EntityExchangeResult<String> result = send(
                "/openai/v1/chat/completions",
                key,
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(result.getStatus().value()).isEqualTo(200);
        assertThat(result.getResponseHeaders().getFirst("x-symbolon-served-by"))
                .isEqualTo("key=key_backup_0; target=compat:backup; attempt=2");
        upstream.verify(postRequestedFor(urlEqualTo("/backup/v1/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                        "$.model", equalTo("gpt-4o-mini")))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                        "$.messages[0].content", equalTo("hi"))));
        String requestId = result.getResponseHeaders().getFirst("x-request-id");
        List<UsageRecorded> attempts = awaitUsages(e -> requestId.equals(e.requestId()), 2);
        assertThat(attempts)
                .extracting(
                        UsageRecorded::provider,
                        UsageRecorded::model,
                        UsageRecorded::attempt,
                        UsageRecorded::failedOver)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("openai", "gpt-4o", 1, true),
                        org.assertj.core.groups.Tuple.tuple("compat:backup", "gpt-4o-mini", 2, false));
    }

    @Test
    void a_provider_that_cannot_be_reached_fails_over_to_a_fallback_target_on_another_host() {
        String key = tenantWithPolicy("t_hostdown", fallbacks("m*", target("compat:backup", null, null)));
        stubPool("compat:closed", "t_hostdown", pool("down", 2), Map.of());
        Map<String, String> backup = pool("up", 1);
        stubPool("compat:backup", "t_hostdown", backup, Map.of());
        upstream.stubFor(post(urlEqualTo("/backup/v1/chat/completions")).willReturn(okJson(OK)));

        EntityExchangeResult<String> result = send("/compat/closed/v1/chat/completions", key, "{\"model\":\"m1\"}");

        assertThat(result.getStatus().value()).isEqualTo(200);
        assertThat(result.getResponseHeaders().getFirst("x-symbolon-served-by"))
                .as("the second key of the unreachable host is not tried")
                .isEqualTo("key=key_up_0; target=compat:backup; attempt=2");
        upstream.verify(postRequestedFor(urlEqualTo("/backup/v1/chat/completions"))
                .withRequestBody(
                        com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.model", equalTo("m1"))));
    }

    @Test
    void a_target_the_policy_does_not_allow_or_of_another_family_is_skipped_and_the_client_gets_the_answer() {
        TenantConfigSnapshot.Policy policy = TenantConfigSnapshot.Policy.builder()
                .allowedProviders(List.of("openai", "anthropic"))
                .fallbacks(List.of(new TenantConfigSnapshot.Fallback(
                        "gpt-*",
                        List.of(
                                target("compat:backup", null, null), // not allowed
                                target("anthropic", "claude-sonnet-4-5", null), // another API family
                                target("openai", "o3", null))))) // a model the policy does not allow
                .allowedModels(List.of("gpt-*"))
                .build();
        String key = tenantWithPolicy("t_skipper", policy);
        Map<String, String> keys = pool("skip", 1);
        stubPool("openai", "t_skipper", keys, Map.of());
        stubPool("compat:backup", "t_skipper", pool("never", 1), Map.of());
        answer(keys.get(id("skip", 0)), aResponse().withStatus(503).withBody("{\"error\":\"busy\"}"));

        EntityExchangeResult<String> result = chat(key);

        assertThat(result.getStatus().value()).isEqualTo(503);
        assertThat(result.getResponseHeaders().getFirst("x-symbolon-served-by")).endsWith("attempt=1");
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/backup/v1/chat/completions"))))
                .isEmpty();
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/anthropic/v1/chat/completions"))))
                .isEmpty();
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .hasSize(1);
    }

    @Test
    void a_tenants_own_key_falls_back_only_to_its_own_keys_at_the_target() {
        TenantConfigSnapshot.Policy policy = fallbacks("gpt-*", target("compat:backup", null, null));
        String key = tenantWithPolicy("t_ownfall", policy);
        String managed = "sk-own-primary-canary-" + UUID.randomUUID();
        String keyId = "key_ofp" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        stubTenantKeyJson(keyId, "t_ownfall", "openai", "managed", 1, managed, List.of());
        answer(managed, aResponse().withStatus(500));
        Map<String, String> operators = pool("opbackup", 1);
        stubPool("compat:backup", "t_ownfall", operators, Map.of());
        Map<String, String> own = pool("ownbackup", 1);
        stubOwnPool("t_ownfall", "compat:backup", own, Map.of());
        upstream.stubFor(post(urlEqualTo("/backup/v1/chat/completions")).willReturn(okJson(OK)));

        EntityExchangeResult<String> result =
                send("/openai/v1/chat/completions", key, "{\"model\":\"gpt-4o\"}", ProviderKeys.KEY_ID, keyId);

        assertThat(result.getStatus().value()).isEqualTo(200);
        assertThat(result.getResponseHeaders().getFirst("x-symbolon-served-by")).startsWith("key=key_ownbackup_0;");
        upstream.verify(postRequestedFor(urlEqualTo("/backup/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + own.get(id("ownbackup", 0)))));
        upstream.verify(
                0,
                postRequestedFor(urlEqualTo("/backup/v1/chat/completions"))
                        .withHeader("Authorization", equalTo("Bearer " + operators.get(id("opbackup", 0)))));
    }

    private static TenantConfigSnapshot.Policy fallbacks(String glob, TenantConfigSnapshot.Target... targets) {
        return TenantConfigSnapshot.Policy.builder()
                .fallbacks(List.of(new TenantConfigSnapshot.Fallback(glob, List.of(targets))))
                .build();
    }

    private static TenantConfigSnapshot.Target target(String provider, String model, String keyId) {
        return new TenantConfigSnapshot.Target(provider, model, keyId);
    }

    /** A POST with the app's credential, a JSON body and any further headers (name, value, …). */
    private EntityExchangeResult<String> send(String path, String credential, String body, String... headers) {
        WebTestClient.RequestBodySpec request = client.post()
                .uri(path)
                .header("Authorization", "Bearer " + credential)
                .contentType(MediaType.APPLICATION_JSON);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request.bodyValue(body).exchange().expectBody(String.class).returnResult();
    }

    private EntityExchangeResult<String> chat(String credential) {
        return send("/openai/v1/chat/completions", credential, "{\"model\":\"gpt-4o-mini\"}");
    }

    /** {@code n} keys named {@code key_<name>_<i>}, with fresh values. */
    private static Map<String, String> pool(String name, int n) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            keys.put(id(name, i), "sk-" + name + "-" + i + "-" + UUID.randomUUID());
        }
        return keys;
    }

    private static String id(String name, int i) {
        return "key_" + name + "_" + i;
    }

    /** The provider's answer to requests made with this key. */
    private static void answer(
            String apiKey, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder response) {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + apiKey))
                .willReturn(response));
    }

    private static int upstreamCalls(String apiKey) {
        return upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                        .withHeader("Authorization", equalTo("Bearer " + apiKey)))
                .size();
    }

    private double cooldowns(String reason) {
        var counter = registry.find("symbolon.edge.key.cooldowns")
                .tags("provider", "openai", "reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
