package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.SplitKey;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.edge.keys.ProviderKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Tenant-owned keys: split keys opened with the client part, rotation grace, revocation, managed keys by id. */
class SplitAndManagedKeysTest extends EdgeContextTest {

    @Test
    void a_split_key_is_opened_with_the_client_part_and_the_upstream_gets_exactly_the_tenants_key() {
        String tenantKey = "sk-tenant-split-canary-" + UUID.randomUUID();
        byte[] clientPart = SplitKey.newClientPart();
        String keyId = stubTenantKey("t_acme", "openai", "split", tenantKey, clientPart, 1, null);
        String header = SplitKey.encodeClientPart(clientPart);

        String requestId = splitRequest(keyId, header)
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseHeaders()
                .getFirst("x-request-id");

        LoggedRequest sent = upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))
                .get(0);
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + tenantKey);
        assertThat(sent.getAllHeaderKeys())
                .as("neither part of the split key travels upstream")
                .noneMatch(h -> h.toLowerCase().startsWith("x-partial-key"));
        assertThat(sent.toString()).doesNotContain(header);
        UsageRecorded event = awaitUsage(requestId);
        assertThat(event.keyId()).isEqualTo(keyId);
        assertThat(event.keyKind()).isEqualTo("split");
        assertThat(EventJson.encode(event))
                .asString(StandardCharsets.UTF_8)
                .doesNotContain(tenantKey)
                .doesNotContain(header);
    }

    @Test
    void a_wrong_client_part_an_unknown_id_and_another_tenants_key_get_the_same_401() {
        byte[] clientPart = SplitKey.newClientPart();
        String mine = stubTenantKey("t_acme", "openai", "split", "sk-mine-canary", clientPart, 1, null);
        String theirs = stubTenantKey("t_other", "openai", "split", "sk-theirs-canary", clientPart, 1, null);
        String anthropics = stubTenantKey("t_acme", "anthropic", "split", "sk-ant-canary", clientPart, 1, null);
        upstream.stubFor(get(urlPathMatching("/internal/v1/keys/key_unknown.*"))
                .willReturn(aResponse().withStatus(404)));
        String good = SplitKey.encodeClientPart(clientPart);

        List<String> bodies = new ArrayList<>();
        for (String[] attempt : new String[][] {
            {mine, SplitKey.encodeClientPart(SplitKey.newClientPart())},
            {"key_unknown" + UUID.randomUUID().toString().substring(0, 8), good},
            {theirs, good},
            {mine, "not-a-client-part"},
            {mine, null},
        }) {
            WebTestClient.RequestBodySpec request = client.post()
                    .uri("/openai/v1/chat/completions")
                    .header("Authorization", "Bearer " + CREDENTIAL)
                    .header(ProviderKeys.PARTIAL_KEY_ID, attempt[0])
                    .contentType(MediaType.APPLICATION_JSON);
            if (attempt[1] != null) {
                request.header(ProviderKeys.PARTIAL_KEY, attempt[1]);
            }
            bodies.add(request.bodyValue("{}")
                    .exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody()
                    .replaceAll("req_[0-9a-f]+", "req_"));
        }
        assertThat(bodies).as("one answer for every way of being wrong").containsOnly(bodies.get(0));
        assertThat(bodies.get(0)).contains("invalid_partial_key").doesNotContain("canary");

        // Its own key on another provider's route: 403.
        expectSplit(anthropics, good, 403, "key_provider_mismatch");
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }

    @Test
    void after_a_rotation_the_old_client_part_works_until_the_grace_ends() {
        byte[] oldPart = SplitKey.newClientPart();
        byte[] newPart = SplitKey.newClientPart();
        String keyId = "key_rot" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        byte[] v1 = SplitKey.seal(
                oldPart, "sk-v1".getBytes(StandardCharsets.UTF_8), SplitKey.aad("t_acme", keyId, 1, "openai"));
        byte[] v2 = SplitKey.seal(
                newPart, "sk-v2".getBytes(StandardCharsets.UTF_8), SplitKey.aad("t_acme", keyId, 2, "openai"));
        stubTenantKeyJson(
                keyId,
                "t_acme",
                "openai",
                "split",
                2,
                null,
                List.of(version(2, v2, null), version(1, v1, Instant.now().plus(Duration.ofHours(1)))));

        expectSplit(keyId, SplitKey.encodeClientPart(newPart), 200, null);
        expectSplit(keyId, SplitKey.encodeClientPart(oldPart), 200, null);
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .extracting(r -> r.getHeader("Authorization"))
                .containsExactly("Bearer sk-v2", "Bearer sk-v1");

        // The grace has ended (as key-vault-service now serves it): the old part stops, the new one works.
        stubTenantKeyJson(
                keyId,
                "t_acme",
                "openai",
                "split",
                2,
                null,
                List.of(version(2, v2, null), version(1, v1, Instant.now().minusSeconds(1))));
        announce(keyId, "t_acme", "openai", KeyLifecycleEvent.KeyKind.SPLIT, KeyLifecycleEvent.Action.ROTATED);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> splitStatus(keyId, SplitKey.encodeClientPart(oldPart)) == 401);
        expectSplit(keyId, SplitKey.encodeClientPart(newPart), 200, null);
    }

    @Test
    void a_revoked_split_key_stops_working_within_a_second_of_the_event() {
        byte[] clientPart = SplitKey.newClientPart();
        String keyId = stubTenantKey("t_acme", "openai", "split", "sk-revoke-canary", clientPart, 1, null);
        String part = SplitKey.encodeClientPart(clientPart);
        expectSplit(keyId, part, 200, null);

        upstream.stubFor(get(urlEqualTo("/internal/v1/keys/" + keyId))
                .willReturn(aResponse().withStatus(404)));
        long start = System.nanoTime();
        announce(keyId, "t_acme", "openai", KeyLifecycleEvent.KeyKind.SPLIT, KeyLifecycleEvent.Action.REVOKED);
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> splitStatus(keyId, part) == 401);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void a_managed_key_is_used_by_id_only_by_its_own_tenant_and_never_falls_back() {
        String managed = "sk-managed-canary-" + UUID.randomUUID();
        String keyId = "key_man" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        stubTenantKeyJson(keyId, "t_acme", "openai", "managed", 1, managed, List.of());
        String otherId =
                "key_oth" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        stubTenantKeyJson(otherId, "t_other", "openai", "managed", 1, "sk-other-canary", List.of());

        assertThat(managedStatus(keyId)).isEqualTo(200);
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))
                        .get(0)
                        .getHeader("Authorization"))
                .isEqualTo("Bearer " + managed);
        assertThat(managedStatus(otherId)).isEqualTo(401);

        // key-vault-service down and the key not cached: 503, never the server key instead.
        String uncached =
                "key_unc" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        upstream.stubFor(get(urlEqualTo("/internal/v1/keys/" + uncached))
                .willReturn(aResponse().withStatus(503)));
        assertThat(managedStatus(uncached)).isEqualTo(503);
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .hasSize(1);
        // Down again, but this key is cached: it keeps being served.
        upstream.stubFor(get(urlEqualTo("/internal/v1/keys/" + keyId))
                .willReturn(aResponse().withStatus(503)));
        assertThat(managedStatus(keyId)).isEqualTo(200);
    }

    private int managedStatus(String keyId) {
        return client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .header(ProviderKeys.KEY_ID, keyId)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getStatus()
                .value();
    }

    /** A chat request through the edge with a split key. */
    private WebTestClient.ResponseSpec splitRequest(String keyId, String clientPart) {
        return client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .header(ProviderKeys.PARTIAL_KEY_ID, keyId)
                .header(ProviderKeys.PARTIAL_KEY, clientPart)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange();
    }

    private int splitStatus(String keyId, String clientPart) {
        return splitRequest(keyId, clientPart)
                .expectBody(String.class)
                .returnResult()
                .getStatus()
                .value();
    }

    private void expectSplit(String keyId, String clientPart, int status, String type) {
        WebTestClient.BodyContentSpec body =
                splitRequest(keyId, clientPart).expectStatus().isEqualTo(status).expectBody();
        if (type != null) {
            body.jsonPath("$.error.type").isEqualTo(type);
        }
    }
}
