package dev.symbolon.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.WireMock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import tools.jackson.databind.JsonNode;

/** Provider keys through key-vault: platform keys by reference, tenant keys for the admin's own tenant only. */
class ProviderKeysTest extends AdminApiContextTest {

    @Test
    void provider_keys_go_to_the_key_vault_and_admin_api_keeps_only_a_reference() {
        String apiKey = "sk-provider-canary-" + UUID.randomUUID();
        keyVault.stubFor(WireMock.post(urlEqualTo("/internal/v1/server-keys"))
                .willReturn(WireMock.okJson("{\"keyId\":\"key_ref1\",\"provider\":\"groq\",\"keyVersion\":1,"
                        + "\"fingerprint\":\"sha256:0011223344556677\"}")));
        keyVault.stubFor(WireMock.delete(urlEqualTo("/internal/v1/server-keys/by-id/key_ref1"))
                .willReturn(aResponse().withStatus(204)));
        Map<String, String> body = Map.of("provider", "groq", "apiKey", apiKey, "label", "prod");

        assertThat(status(tokens.get("tenant-admin"), HttpMethod.POST, "/admin/provider-keys", body))
                .isEqualTo(403);
        assertThat(status(tokens.get("finance"), HttpMethod.POST, "/admin/provider-keys", body))
                .isEqualTo(403);
        JsonNode ref = json(expect(tokens.get("security-officer"), HttpMethod.POST, "/admin/provider-keys", body, 201));

        assertThat(ref.path("fingerprint").asString()).isEqualTo("sha256:0011223344556677");
        assertThat(ref.toString()).doesNotContain(apiKey);
        keyVault.verify(WireMock.postRequestedFor(urlEqualTo("/internal/v1/server-keys"))
                .withRequestBody(WireMock.matchingJsonPath("$.apiKey", WireMock.equalTo(apiKey))));
        List<String> rows = new ArrayList<>();
        for (String table : jdbc.queryForList(
                "select table_name from information_schema.tables where table_schema = 'admin'", String.class)) {
            rows.addAll(jdbc.queryForList("select t::text from admin." + table + " t", String.class));
        }
        assertThat(rows).noneMatch(row -> row.contains(apiKey)).anyMatch(row -> row.contains("key_ref1"));
        assertThat(json(expect(tokens.get("security-officer"), HttpMethod.GET, "/admin/provider-keys", null, 200))
                        .toString())
                .contains("key_ref1")
                .doesNotContain(apiKey);

        expect(tokens.get("security-officer"), HttpMethod.DELETE, "/admin/provider-keys/key_ref1", null, 204);
        keyVault.verify(WireMock.deleteRequestedFor(urlEqualTo("/internal/v1/server-keys/by-id/key_ref1")));
        expect(tokens.get("security-officer"), HttpMethod.DELETE, "/admin/provider-keys/key_ref1", null, 404);
        expect(BOOTSTRAP, HttpMethod.POST, "/admin/provider-keys", Map.of("provider", "openia", "apiKey", "x"), 400);
    }

    @Test
    void a_security_officer_weighs_a_server_key_in_its_pool_and_nobody_else_may() {
        String apiKey = "sk-pool-canary-" + UUID.randomUUID();
        keyVault.stubFor(WireMock.post(urlEqualTo("/internal/v1/server-keys"))
                .willReturn(WireMock.okJson("{\"keyId\":\"key_pool2\",\"provider\":\"openai\",\"keyVersion\":1,"
                        + "\"fingerprint\":\"sha256:8899aabbccddeeff\",\"weight\":3}")));
        keyVault.stubFor(WireMock.patch(urlEqualTo("/internal/v1/keys/key_pool2"))
                .willReturn(WireMock.okJson("{\"keyId\":\"key_pool2\",\"weight\":7}")));
        Map<String, Object> body = Map.of("provider", "openai", "apiKey", apiKey, "label", "second", "weight", 3);

        JsonNode ref = json(expect(tokens.get("security-officer"), HttpMethod.POST, "/admin/provider-keys", body, 201));

        assertThat(ref.path("weight").asInt()).isEqualTo(3);
        keyVault.verify(WireMock.postRequestedFor(urlEqualTo("/internal/v1/server-keys"))
                .withRequestBody(WireMock.matchingJsonPath("$.weight", WireMock.equalTo("3"))));
        for (Object weight : new Object[] {0, 101, 1.5, "heavy"}) {
            assertThat(status(
                            tokens.get("security-officer"),
                            HttpMethod.POST,
                            "/admin/provider-keys",
                            Map.of("provider", "openai", "apiKey", apiKey, "label", "x", "weight", weight)))
                    .as("weight " + weight)
                    .isEqualTo(400);
        }

        assertThat(status(
                        tokens.get("tenant-admin"),
                        HttpMethod.PATCH,
                        "/admin/provider-keys/key_pool2",
                        Map.of("weight", 7)))
                .isEqualTo(403);
        assertThat(status(
                        tokens.get("security-officer"),
                        HttpMethod.PATCH,
                        "/admin/provider-keys/key_pool2",
                        Map.of("weight", 0)))
                .isEqualTo(400);
        assertThat(status(
                        tokens.get("security-officer"),
                        HttpMethod.PATCH,
                        "/admin/provider-keys/key_nothere",
                        Map.of("weight", 2)))
                .isEqualTo(404);
        JsonNode reweighed = json(expect(
                tokens.get("security-officer"),
                HttpMethod.PATCH,
                "/admin/provider-keys/key_pool2",
                Map.of("weight", 7),
                200));
        assertThat(reweighed.path("weight").asInt()).isEqualTo(7);
        keyVault.verify(WireMock.patchRequestedFor(urlEqualTo("/internal/v1/keys/key_pool2"))
                .withHeader("X-Symbolon-Actor-Role", WireMock.equalTo("security-officer"))
                .withRequestBody(WireMock.matchingJsonPath("$.weight", WireMock.equalTo("7"))));
        assertThat(json(expect(tokens.get("security-officer"), HttpMethod.GET, "/admin/provider-keys", null, 200))
                        .findValues("weight")
                        .stream()
                        .map(JsonNode::asInt)
                        .toList())
                .contains(7);
        assertThat(jdbc.queryForList(
                        "select action from admin.audit_entry where target = 'key_pool2' order by seq", String.class))
                .containsSubsequence("provider_key.registered", "provider_key.reweighed");
    }

    @Test
    void tenant_keys_pass_through_to_the_key_vault_for_the_admins_own_tenant_only() {
        String apiKey = "sk-byok-canary-" + UUID.randomUUID();
        keyVault.stubFor(WireMock.post(urlEqualTo("/internal/v1/tenants/" + tenantA + "/keys"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"key\":{\"keyId\":\"key_byok1\",\"tenantId\":\"" + tenantA
                                + "\",\"provider\":\"openai\",\"kind\":\"split\",\"keyVersion\":1},"
                                + "\"clientPart\":\"client-part-shown-once\"}")));
        keyVault.stubFor(WireMock.get(urlEqualTo("/internal/v1/tenants/" + tenantA + "/keys"))
                .willReturn(WireMock.okJson("[{\"keyId\":\"key_byok1\",\"kind\":\"split\"}]")));
        keyVault.stubFor(WireMock.delete(urlEqualTo("/internal/v1/tenants/" + tenantA + "/keys/key_gone"))
                .willReturn(aResponse()
                        .withStatus(404)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"type\":\"not_found\",\"message\":\"No such active key.\"}}")));
        keyVault.stubFor(WireMock.post(urlEqualTo("/internal/v1/wrapping-key/rotate"))
                .willReturn(aResponse()
                        .withStatus(202)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"wrappingVersion\":2,\"lastRewrap\":null}")));
        Map<String, String> body = Map.of("provider", "openai", "apiKey", apiKey, "kind", "split");

        JsonNode created = json(
                expect(tokens.get("tenant-admin"), HttpMethod.POST, "/admin/tenants/" + tenantA + "/keys", body, 201));
        assertThat(created.path("clientPart").asString()).isEqualTo("client-part-shown-once");
        keyVault.verify(WireMock.postRequestedFor(urlEqualTo("/internal/v1/tenants/" + tenantA + "/keys"))
                .withHeader("X-Symbolon-Actor-Role", WireMock.equalTo("tenant-admin"))
                .withRequestBody(WireMock.matchingJsonPath("$.apiKey", WireMock.equalTo(apiKey))));
        assertThat(json(expect(
                                tokens.get("tenant-admin"),
                                HttpMethod.GET,
                                "/admin/tenants/" + tenantA + "/keys",
                                null,
                                200))
                        .path(0)
                        .path("keyId")
                        .asString())
                .isEqualTo("key_byok1");

        // Another tenant's keys do not exist for this admin; finance may not touch keys at all.
        assertThat(status(tokens.get("tenant-admin"), HttpMethod.GET, "/admin/tenants/" + tenantB + "/keys", null))
                .isEqualTo(404);
        assertThat(status(tokens.get("tenant-admin"), HttpMethod.POST, "/admin/tenants/" + tenantB + "/keys", body))
                .isEqualTo(404);
        assertThat(status(tokens.get("finance"), HttpMethod.GET, "/admin/tenants/" + tenantA + "/keys", null))
                .isEqualTo(403);
        keyVault.verify(0, WireMock.anyRequestedFor(urlPathMatching("/internal/v1/tenants/" + tenantB + "/keys.*")));

        expect(
                tokens.get("tenant-admin"),
                HttpMethod.DELETE,
                "/admin/tenants/" + tenantA + "/keys/key_gone",
                null,
                404);
        expect(
                tokens.get("tenant-admin"),
                HttpMethod.POST,
                "/admin/tenants/" + tenantA + "/keys",
                Map.of("provider", "openai", "apiKey", apiKey, "kind", "whole"),
                400);
        assertThat(status(tokens.get("tenant-admin"), HttpMethod.POST, "/admin/wrapping-key/rotate", null))
                .isEqualTo(403);
        assertThat(json(expect(
                                tokens.get("security-officer"),
                                HttpMethod.POST,
                                "/admin/wrapping-key/rotate",
                                null,
                                202))
                        .path("wrappingVersion")
                        .asInt())
                .isEqualTo(2);
        List<String> rows = new ArrayList<>();
        for (String table : jdbc.queryForList(
                "select table_name from information_schema.tables where table_schema = 'admin'", String.class)) {
            rows.addAll(jdbc.queryForList("select t::text from admin." + table + " t", String.class));
        }
        assertThat(rows).noneMatch(row -> row.contains(apiKey) || row.contains("client-part-shown-once"));
    }
}
