package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
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
import dev.symbolon.edge.auth.AppTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/** App keys and tokens: the seed routes, short-lived tokens, revocation here and on every edge, the app's own stats. */
class AppCredentialsTest extends EdgeContextTest {

    @Test
    void seed_clients_reach_the_same_pipeline_through_the_proxy_route() {
        client.post()
                .uri("/api/openai/proxy")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"endpoint\":\"/chat/completions\",\"model\":\"gpt-4o-mini\",\"messages\":[]}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .exists("x-request-id");

        upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + OPENAI_KEY))
                .withRequestBody(equalToJson("{\"model\":\"gpt-4o-mini\",\"messages\":[]}")));
        expectError(
                "/api/openai/proxy", "Bearer " + CREDENTIAL, "{\"endpoint\":\"/../admin\"}", 400, "invalid_endpoint");
        expectError("/api/openai/proxy", "Bearer " + CREDENTIAL, "{\"model\":\"x\"}", 400, "invalid_endpoint");
        expectError("/api/nope/proxy", "Bearer " + CREDENTIAL, "{\"endpoint\":\"/x\"}", 404, "unknown_route");
        expectError(
                "/api/openai/proxy",
                "Bearer sym_live_wrong",
                "{\"endpoint\":\"/chat/completions\"}",
                401,
                "invalid_credential");
    }

    @Test
    void seed_clients_can_list_the_endpoints_their_policy_allows() {
        client.get()
                .uri("/api/openai/endpoints")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.provider")
                .isEqualTo("openai")
                .jsonPath("$.endpoints[0]")
                .isEqualTo("/chat/completions")
                .jsonPath("$.endpoints[2]")
                .isEqualTo("/embeddings");
        client.get().uri("/api/openai/endpoints").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void a_revoked_token_is_refused_here_at_once_and_everywhere_once_the_snapshot_carries_it() {
        upstream.stubFor(post(urlEqualTo("/internal/v1/app-token-revocations"))
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN))
                .willReturn(okJson("{\"revoked\":true}")));
        String key = tenantWithPolicy("t_revoke", null);
        String first = appToken(key);
        String second = appToken(key);
        assertThat(send(first)).isEqualTo(200);

        // The token revokes itself (RFC 7009 style, form body).
        client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + first)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("token=" + first)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.revoked")
                .isEqualTo(true);

        assertThat(send(first)).isEqualTo(401);
        assertThat(send(second)).as("only the one token is revoked").isEqualTo(200);
        AppTokens.Claims claims = tokens.verify(first).orElseThrow();
        upstream.verify(postRequestedFor(urlEqualTo("/internal/v1/app-token-revocations"))
                .withRequestBody(matchingJsonPath("$.tokenId", equalTo(claims.tokenId())))
                .withRequestBody(matchingJsonPath("$.tenantId", equalTo("t_revoke")))
                .withRequestBody(matchingJsonPath("$.appId", equalTo("app_t_revoke"))));
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/internal/v1/app-token-revocations")))
                        .toString())
                .as("the token itself never leaves the edge")
                .doesNotContain(first);

        // Another edge hears it through tenant-config.v1: the snapshot admin-api then publishes.
        AppTokens.Claims other = tokens.verify(second).orElseThrow();
        TenantConfigSnapshot withRevocation = new TenantConfigSnapshot(
                UUID.randomUUID(),
                Instant.now(),
                "t_revoke",
                1,
                2,
                TenantConfigSnapshot.Status.ACTIVE,
                "UTC",
                null,
                new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                List.of(new TenantConfigSnapshot.App(
                        "app_t_revoke",
                        "t_revoke",
                        TenantConfigSnapshot.Status.ACTIVE,
                        null,
                        List.of(credential("cred_t_revoke", key)))),
                List.of(),
                List.of(new TenantConfigSnapshot.RevokedToken(other.tokenId(), "app_t_revoke", other.expiresAt())));
        producer.send(Topics.TENANT_CONFIG, "t_revoke", EventJson.encode(withRevocation));
        await().atMost(Duration.ofSeconds(10)).until(() -> send(second) == 401);
        assertThat(send(key)).as("the app key itself still works").isEqualTo(200);
    }

    @Test
    void revoking_needs_the_app_and_fails_loudly_when_it_cannot_be_recorded() {
        String key = tenantWithPolicy("t_revoke2", null);
        String token = appToken(key);
        String strangersKey = tenantWithPolicy("t_stranger", null);

        client.post()
                .uri("/auth/revoke")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"" + token + "\"}")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + strangersKey)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"" + token + "\"}")
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("token_not_yours");
        client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"not.a.token\"}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.revoked")
                .isEqualTo(false);

        client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"" + "x".repeat(70_000) + "\"}")
                .exchange()
                .expectStatus()
                .isEqualTo(413)
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("body_too_large");

        // admin-api answers 503: the client is told, and the token is not half-revoked here.
        upstream.stubFor(post(urlEqualTo("/internal/v1/app-token-revocations"))
                .willReturn(aResponse().withStatus(503)));
        String body = client.post()
                .uri("/auth/revoke")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"token\":\"" + token + "\"}")
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(body)
                .contains("revocation_unavailable")
                .doesNotContain(token)
                .doesNotContain(SERVICE_TOKEN);
        assertThat(send(token)).isEqualTo(200);
    }

    private String appToken(String key) {
        return JsonMapper.builder()
                .build()
                .readTree(client.post()
                        .uri("/auth/token")
                        .header("Authorization", "Bearer " + key)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .returnResult()
                        .getResponseBodyContent())
                .path("access_token")
                .asString();
    }

    @Test
    void an_app_key_buys_a_short_lived_token_that_works_until_its_key_is_revoked() {
        String key = "sym_live_tokens_" + UUID.randomUUID();
        TenantConfigSnapshot.App app = new TenantConfigSnapshot.App(
                "app_t", "t", TenantConfigSnapshot.Status.ACTIVE, null, List.of(credential("cred_t", key)));
        producer.send(
                Topics.TENANT_CONFIG,
                "t_tok",
                EventJson.encode(tenant("t_tok", null, new TenantConfigSnapshot.IpRules(List.of(), List.of()), app)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.authenticate(key) instanceof AppDirectory.Accepted);

        String token = JsonMapper.builder()
                .build()
                .readTree(client.post()
                        .uri("/auth/token")
                        .header("Authorization", "Bearer " + key)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectHeader()
                        .valueEquals("Cache-Control", "no-store")
                        .expectBody()
                        .returnResult()
                        .getResponseBodyContent())
                .path("access_token")
                .asString();

        client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isOk();
        upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + OPENAI_KEY)));
        assertThat(upstream.getAllServeEvents().toString()).doesNotContain(token);
        expectError(
                "/openai/v1/chat/completions",
                "Bearer " + token.substring(0, token.length() - 3) + "abc",
                "{}",
                401,
                "invalid_credential");
        client.post()
                .uri("/auth/token")
                .header("Authorization", "Bearer " + token)
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.post()
                .uri("/auth/token")
                .header("Authorization", "Bearer sym_live_nope")
                .exchange()
                .expectStatus()
                .isUnauthorized();

        TenantConfigSnapshot revoked = new TenantConfigSnapshot(
                UUID.randomUUID(),
                Instant.now(),
                "t_tok",
                1,
                2,
                TenantConfigSnapshot.Status.ACTIVE,
                "UTC",
                null,
                new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                List.of(new TenantConfigSnapshot.App(
                        "app_t", "t", TenantConfigSnapshot.Status.ACTIVE, null, List.of())),
                List.of(),
                List.of());
        producer.send(Topics.TENANT_CONFIG, "t_tok", EventJson.encode(revoked));
        await().atMost(Duration.ofSeconds(20)).until(() -> send(token) == 401);
    }

    @Test
    void my_stats_reads_the_calling_apps_own_usage_from_analytics() {
        upstream.stubFor(get(urlPathEqualTo("/internal/v1/app-stats"))
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN))
                .withQueryParam("tenantId", equalTo("t_acme"))
                .withQueryParam("appId", equalTo("app_1"))
                .willReturn(okJson("{\"appId\":\"app_1\",\"today\":{\"requests\":7}}")));

        client.get()
                .uri("/analytics/my-stats?tenantId=t_other&appId=app_other")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.today.requests")
                .isEqualTo(7);
        upstream.verify(getRequestedFor(urlPathEqualTo("/internal/v1/app-stats"))
                .withQueryParam("tenantId", equalTo("t_acme"))
                .withQueryParam("appId", equalTo("app_1")));
        client.get().uri("/analytics/my-stats").exchange().expectStatus().isUnauthorized();
        upstream.stubFor(get(urlPathEqualTo("/internal/v1/app-stats"))
                .willReturn(aResponse().withStatus(500)));
        client.get()
                .uri("/analytics/my-stats")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("stats_unavailable");
    }
}
