package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.edge.auth.AppDirectory;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Tenant and app policy, rate limits and quotas on the request path, concurrency against every limit. */
class PolicyAndLimitsTest extends EdgeContextTest {

    @Test
    void the_tenant_and_app_policy_decide_what_reaches_the_upstream() {
        String governed = "sym_live_governed_" + UUID.randomUUID();
        String fromElsewhere = "sym_live_elsewhere_" + UUID.randomUUID();
        TenantConfigSnapshot.Policy tenantPolicy = TenantConfigSnapshot.Policy.builder()
                .allowedProviders(List.of("openai"))
                .allowedModels(List.of("gpt-4o*"))
                .allowedEndpoints(List.of("/chat/completions"))
                .maxBodyBytes(2_000L)
                .build();
        TenantConfigSnapshot.Policy appPolicy = modelsOnly("gpt-4o-mini");
        producer.send(
                Topics.TENANT_CONFIG,
                "t_governed",
                EventJson.encode(tenant(
                        "t_governed",
                        tenantPolicy,
                        new TenantConfigSnapshot.IpRules(List.of(), List.of("192.0.2.0/24")),
                        new TenantConfigSnapshot.App(
                                "app_g",
                                "g",
                                TenantConfigSnapshot.Status.ACTIVE,
                                appPolicy,
                                List.of(credential("cred_g", governed))))));
        producer.send(
                Topics.TENANT_CONFIG,
                "t_elsewhere",
                EventJson.encode(tenant(
                        "t_elsewhere",
                        null,
                        new TenantConfigSnapshot.IpRules(List.of("198.51.100.0/24"), List.of()),
                        new TenantConfigSnapshot.App(
                                "app_e",
                                "e",
                                TenantConfigSnapshot.Status.ACTIVE,
                                null,
                                List.of(credential("cred_e", fromElsewhere))))));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.authenticate(governed) instanceof AppDirectory.Accepted
                        && directory.authenticate(fromElsewhere) instanceof AppDirectory.Accepted);

        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + governed)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"gpt-4o-mini\"}")
                .exchange()
                .expectStatus()
                .isOk();
        expectError(
                "/openai/v1/chat/completions",
                "Bearer " + governed,
                "{\"model\":\"gpt-4o\"}",
                403,
                "model_not_allowed");
        expectError(
                "/openai/v1/chat/completions-x",
                "Bearer " + governed,
                "{\"model\":\"gpt-4o-mini\"}",
                403,
                "endpoint_not_allowed");
        expectError("/openai/v1/embeddings", "Bearer " + governed, "{}", 403, "endpoint_not_allowed");
        expectError("/anthropic/v1/messages", "Bearer " + governed, "{}", 403, "provider_not_allowed");
        expectError(
                "/openai/v1/chat/completions",
                "Bearer " + governed,
                "{\"model\":\"gpt-4o-mini\",\"pad\":\"" + "x".repeat(3_000) + "\"}",
                413,
                "body_too_large");
        // The allow list of t_elsewhere does not contain this test's loopback address; a forged
        // X-Forwarded-For changes nothing, since no proxy is trusted.
        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + fromElsewhere)
                .header("X-Forwarded-For", "198.51.100.7")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("ip_not_allowed");
        upstream.verify(1, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
    }

    @Test
    void fifty_concurrent_requests_against_a_limit_of_ten_let_exactly_ten_through() {
        String limited = "sym_live_limited_" + UUID.randomUUID();
        TenantConfigSnapshot.Policy tenMinute =
                TenantConfigSnapshot.Policy.builder().requestsPerMinute(10L).build();
        producer.send(
                Topics.TENANT_CONFIG,
                "t_limited",
                EventJson.encode(tenant(
                        "t_limited",
                        null,
                        new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                        new TenantConfigSnapshot.App(
                                "app_l",
                                "l",
                                TenantConfigSnapshot.Status.ACTIVE,
                                tenMinute,
                                List.of(credential("cred_l", limited))))));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.authenticate(limited) instanceof AppDirectory.Accepted);

        List<Integer> statuses = concurrently(50, limited);
        assertThat(statuses).filteredOn(status -> status == 200).hasSize(10);
        assertThat(statuses).filteredOn(status -> status == 429).hasSize(40);
        upstream.verify(10, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + limited)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("x-symbolon-limit", "requests-per-minute (app)")
                .expectHeader()
                .exists("retry-after")
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("rate_limited");
    }

    @Test
    void fifty_concurrent_requests_against_a_daily_quota_of_ten_let_exactly_ten_reach_the_upstream() {
        // Slow upstream: the first requests are still in flight while the rest arrive.
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(okJson("{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}")
                        .withFixedDelay(300)));
        String key = tenantWithPolicy(
                "t_quota",
                TenantConfigSnapshot.Policy.builder().requestsPerDay(10L).build());

        List<Integer> statuses = concurrently(50, key);

        assertThat(statuses).filteredOn(status -> status == 200).hasSize(10);
        assertThat(statuses).filteredOn(status -> status == 429).hasSize(40);
        upstream.verify(10, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
        String retryAfter = client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("x-symbolon-limit", "requests-per-day (tenant)")
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("quota_exceeded")
                .returnResult()
                .getResponseHeaders()
                .getFirst("retry-after");
        assertThat(Long.parseLong(retryAfter)).isBetween(1L, 86_401L);
    }

    @Test
    void a_cost_quota_spent_on_other_edges_is_refused_here_until_analytics_has_room_again() {
        desk.spentElsewhere.put("t_spent", new BigDecimal("5.000001"));
        String key = tenantWithPolicy(
                "t_spent",
                TenantConfigSnapshot.Policy.builder()
                        .costPerDayUsd(new BigDecimal("5.00"))
                        .build());

        await().atMost(Duration.ofSeconds(5)).until(() -> send(key) == 429);
        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectHeader()
                .valueEquals("x-symbolon-limit", "cost-per-day (tenant)");

        // e.g. a refund or a corrected price: analytics has room again, and says so at the next ask
        desk.spentElsewhere.put("t_spent", new BigDecimal("4.99"));
        await().atMost(Duration.ofSeconds(5)).until(() -> send(key) == 200);
    }

    /** Statuses of n identical chat requests sent all at once with the given credential. */
    private List<Integer> concurrently(int n, String key) {
        return Flux.range(0, n)
                .flatMap(i -> Mono.fromCallable(() -> send(key)).subscribeOn(Schedulers.boundedElastic()), n)
                .collectList()
                .block(Duration.ofSeconds(60));
    }
}
