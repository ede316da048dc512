package dev.symbolon.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import tools.jackson.databind.JsonNode;

/** Webhook endpoints: secrets to key-vault and shown once, rotation, key-vault down, URLs and event types checked. */
class WebhooksTest extends AdminApiContextTest {

    @Test
    void a_webhook_secret_goes_to_the_key_vault_and_is_shown_once_never_stored_here() {
        JsonNode created = json(expect(
                tokens.get("tenant-admin"),
                HttpMethod.POST,
                "/admin/tenants/" + tenantA + "/webhooks",
                webhook("https://93.184.215.15/symbolon"),
                201));
        String secret = created.path("secret").asString();
        String endpointId = created.path("endpoint").path("endpointId").asString();
        assertThat(secret).startsWith("whsec_");
        assertThat(java.util.Base64.getDecoder().decode(secret.substring(6))).hasSize(32);

        keyVault.verify(
                putRequestedFor(urlEqualTo("/internal/v1/webhook-secrets/" + tenantA + "/" + endpointId + "/v1"))
                        .withRequestBody(WireMock.matchingJsonPath("$.secret", WireMock.equalTo(secret))));
        List<String> rows = new ArrayList<>();
        for (String table : jdbc.queryForList(
                "select table_name from information_schema.tables where table_schema = 'admin'", String.class)) {
            rows.addAll(jdbc.queryForList("select t::text from admin." + table + " t", String.class));
        }
        assertThat(rows).noneMatch(row -> row.contains(secret.substring(6)));
        String listed = new String(
                expect(BOOTSTRAP, HttpMethod.GET, "/admin/tenants/" + tenantA + "/webhooks/" + endpointId, null, 200),
                StandardCharsets.UTF_8);
        assertThat(listed).doesNotContain(secret.substring(6));

        TenantConfigSnapshot snapshot = awaitSnapshot(
                tenantA, s -> s.webhooks().stream().anyMatch(w -> w.endpointId().equals(endpointId)));
        assertThat(snapshot.webhooks())
                .filteredOn(w -> w.endpointId().equals(endpointId))
                .singleElement()
                .satisfies(w -> {
                    assertThat(w.url()).isEqualTo("https://93.184.215.15/symbolon");
                    assertThat(w.eventTypes()).containsExactly("quota.threshold_reached", "key.revoked");
                    assertThat(w.active()).isTrue();
                });
        assertThat(EventJson.encodeToString(snapshot)).doesNotContain(secret.substring(6));
    }

    @Test
    void rotation_keeps_the_previous_secret_and_destroys_older_ones() {
        String endpointId = json(expect(
                        BOOTSTRAP,
                        HttpMethod.POST,
                        "/admin/tenants/" + tenantB + "/webhooks",
                        webhook("https://93.184.215.17/x"),
                        201))
                .path("endpoint")
                .path("endpointId")
                .asString();
        String base = "/admin/tenants/" + tenantB + "/webhooks/" + endpointId;

        JsonNode second = json(expect(BOOTSTRAP, HttpMethod.POST, base + "/rotate-secret", null, 200));
        expect(BOOTSTRAP, HttpMethod.POST, base + "/rotate-secret", null, 200);

        assertThat(second.path("endpoint").path("secretVersion").asInt()).isEqualTo(2);
        String secrets = "/internal/v1/webhook-secrets/" + tenantB + "/" + endpointId;
        keyVault.verify(putRequestedFor(urlEqualTo(secrets + "/v2")));
        keyVault.verify(putRequestedFor(urlEqualTo(secrets + "/v3")));
        keyVault.verify(1, deleteRequestedFor(urlEqualTo(secrets + "/v1")));
        keyVault.verify(0, deleteRequestedFor(urlEqualTo(secrets + "/v2")));

        expect(BOOTSTRAP, HttpMethod.DELETE, base, null, 204);
        keyVault.verify(deleteRequestedFor(urlEqualTo(secrets)));
        expect(BOOTSTRAP, HttpMethod.GET, base, null, 404);
    }

    @Test
    void when_the_key_vault_is_down_no_webhook_is_created() {
        String tenant = json(expect(BOOTSTRAP, HttpMethod.POST, "/admin/tenants", tenant("Down"), 201))
                .path("tenantId")
                .asString();
        keyVault.stubFor(put(urlPathMatching("/internal/v1/webhook-secrets/" + tenant + "/.*"))
                .willReturn(aResponse().withStatus(503)));

        JsonNode error = json(expect(
                BOOTSTRAP,
                HttpMethod.POST,
                "/admin/tenants/" + tenant + "/webhooks",
                webhook("https://93.184.215.16/"),
                503));

        assertThat(error.path("error").path("type").asString()).isEqualTo("key_vault_unavailable");
        assertThat(jdbc.queryForObject(
                        "select count(*) from admin.webhook_endpoint where tenant_id = ?", Long.class, tenant))
                .isZero();
    }

    @Test
    void webhook_urls_and_event_types_are_checked() {
        String base = "/admin/tenants/" + tenantA + "/webhooks";
        assertThat(json(expect(BOOTSTRAP, HttpMethod.POST, base, webhook("http://plain.example/"), 400))
                        .path("error")
                        .path("message")
                        .asString())
                .contains("https");
        expect(BOOTSTRAP, HttpMethod.POST, base, webhook("https://user:pass@93.184.215.16/"), 400);
        expect(BOOTSTRAP, HttpMethod.POST, base, webhook("not a url"), 400);
        expect(
                BOOTSTRAP,
                HttpMethod.POST,
                base,
                Map.of("url", "https://93.184.215.16/", "eventTypes", List.of("quota.nope")),
                400);
        expect(BOOTSTRAP, HttpMethod.POST, base, Map.of("url", "https://93.184.215.16/", "eventTypes", List.of()), 400);
        // what the dispatcher would refuse at connect time is refused at registration (one rule)
        for (String internal : List.of(
                "https://169.254.169.254/latest/meta-data/",
                "https://10.0.0.8/hook",
                "https://192.168.1.20/hook",
                "https://[::ffff:127.0.0.1]/hook",
                "https://[64:ff9b::a9fe:a9fe]/hook",
                "https://[2002:a9fe:a9fe::]/hook",
                "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
                "https://2130706433/hook",
                "https://0177.0.0.1/hook",
                "https://metadata.google.internal/computeMetadata/v1/",
                "https://key-vault-service:8082/internal/v1/server-keys/openai",
                "https://127.0.0.1/hook",
                "https://localhost/hook")) {
            String message = json(expect(BOOTSTRAP, HttpMethod.POST, base, webhook(internal), 400))
                    .path("error")
                    .path("message")
                    .asString();
            assertThat(message).as(internal).startsWith("url is refused: ");
        }
        assertThat(jdbc.queryForObject(
                        "select count(*) from admin.webhook_endpoint where url like '%169.254%' or url like '%internal%'",
                        Long.class))
                .isZero();
    }
}
