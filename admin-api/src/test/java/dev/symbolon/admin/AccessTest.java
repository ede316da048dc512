package dev.symbolon.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/** Who may do what: every role against the access table, across tenants; bad input and the API document. */
class AccessTest extends AdminApiContextTest {

    /** One operation and the status each role gets. */
    record Case(String name, Map<String, Integer> expected, Function<String, Integer> call) {}

    @Test
    void each_role_may_do_exactly_what_the_access_table_says_including_across_tenants() {
        List<Case> cases = List.of(
                new Case(
                        "create tenant",
                        statuses(201, 403, 403, 403),
                        t -> status(t, HttpMethod.POST, "/admin/tenants", tenant("X"))),
                new Case(
                        "list tenants",
                        statuses(200, 200, 200, 200),
                        t -> status(t, HttpMethod.GET, "/admin/tenants", null)),
                new Case(
                        "read own tenant",
                        statuses(200, 200, 200, 200),
                        t -> status(t, HttpMethod.GET, "/admin/tenants/" + tenantA, null)),
                new Case(
                        "read other tenant",
                        statuses(200, 200, 200, 404),
                        t -> status(t, HttpMethod.GET, "/admin/tenants/" + tenantB, null)),
                new Case(
                        "update tenant",
                        statuses(200, 403, 403, 403),
                        t -> status(t, HttpMethod.PATCH, "/admin/tenants/" + tenantA, Map.of("plan", "pro"))),
                new Case(
                        "create app, own tenant",
                        statuses(201, 403, 403, 201),
                        t -> status(t, HttpMethod.POST, "/admin/tenants/" + tenantA + "/apps", Map.of("name", "n"))),
                new Case(
                        "create app, other tenant",
                        statuses(201, 403, 403, 404),
                        t -> status(t, HttpMethod.POST, "/admin/tenants/" + tenantB + "/apps", Map.of("name", "n"))),
                new Case(
                        "read other tenant's app by guessing it under own tenant",
                        statuses(404, 404, 404, 404),
                        t -> status(t, HttpMethod.GET, "/admin/tenants/" + tenantA + "/apps/" + appB, null)),
                new Case(
                        "read other tenant's app",
                        statuses(200, 200, 200, 404),
                        t -> status(t, HttpMethod.GET, "/admin/tenants/" + tenantB + "/apps/" + appB, null)),
                new Case(
                        "issue credential, own tenant",
                        statuses(201, 403, 403, 201),
                        t -> status(t, HttpMethod.POST, credentials(tenantA, appA), Map.of())),
                new Case(
                        "issue credential, other tenant",
                        statuses(201, 403, 403, 404),
                        t -> status(t, HttpMethod.POST, credentials(tenantB, appB), Map.of())),
                new Case(
                        "list credentials",
                        statuses(200, 200, 403, 200),
                        t -> status(t, HttpMethod.GET, credentials(tenantA, appA), null)),
                new Case(
                        "revoke credential, own tenant",
                        statuses(200, 200, 403, 200),
                        t -> status(
                                t,
                                HttpMethod.DELETE,
                                credentials(tenantA, appA) + "/" + newCredentialId(tenantA, appA),
                                null)),
                new Case(
                        "revoke credential, other tenant",
                        statuses(200, 200, 403, 404),
                        t -> status(
                                t,
                                HttpMethod.DELETE,
                                credentials(tenantB, appB) + "/" + newCredentialId(tenantB, appB),
                                null)),
                new Case(
                        "manage admin keys",
                        statuses(201, 403, 403, 403),
                        t -> status(t, HttpMethod.POST, "/admin/admin-keys", Map.of("role", "finance", "label", "x"))),
                new Case(
                        "read the audit log",
                        statuses(200, 200, 403, 200),
                        t -> status(t, HttpMethod.GET, "/admin/audit", null)),
                new Case(
                        "read another tenant's audit entries",
                        statuses(200, 200, 403, 404),
                        t -> status(t, HttpMethod.GET, "/admin/audit?tenantId=" + tenantB, null)),
                new Case(
                        "verify the audit chain",
                        statuses(200, 200, 403, 403),
                        t -> status(t, HttpMethod.GET, "/admin/audit/verify", null)),
                new Case(
                        "set a tenant policy",
                        statuses(200, 403, 403, 403),
                        t -> status(
                                t,
                                HttpMethod.PUT,
                                "/admin/tenants/" + tenantA + "/policy",
                                Map.of("requestsPerMinute", 100))),
                new Case(
                        "set an app policy, own tenant",
                        statuses(200, 403, 403, 200),
                        t -> status(
                                t,
                                HttpMethod.PUT,
                                "/admin/tenants/" + tenantA + "/apps/" + appA + "/policy",
                                Map.of("requestsPerMinute", 10))),
                new Case(
                        "set an app policy, other tenant",
                        statuses(200, 403, 403, 404),
                        t -> status(
                                t,
                                HttpMethod.PUT,
                                "/admin/tenants/" + tenantB + "/apps/" + appB + "/policy",
                                Map.of("requestsPerMinute", 10))),
                new Case(
                        "read the tenant policy",
                        statuses(200, 200, 200, 200),
                        t -> status(t, HttpMethod.GET, "/admin/tenants/" + tenantA + "/policy", null)),
                new Case(
                        "add a tenant IP rule",
                        statuses(201, 201, 403, 403),
                        t -> status(
                                t,
                                HttpMethod.POST,
                                "/admin/tenants/" + tenantA + "/ip-rules",
                                Map.of("kind", "DENY", "cidr", "192.0.2.0/24"))),
                new Case(
                        "list own tenant IP rules",
                        statuses(200, 200, 403, 200),
                        t -> status(t, HttpMethod.GET, "/admin/tenants/" + tenantA + "/ip-rules", null)),
                new Case(
                        "list another tenant's IP rules",
                        statuses(200, 200, 403, 404),
                        t -> status(t, HttpMethod.GET, "/admin/tenants/" + tenantB + "/ip-rules", null)),
                new Case(
                        "add a global IP rule",
                        statuses(201, 201, 403, 403),
                        t -> status(
                                t,
                                HttpMethod.POST,
                                "/admin/ip-rules",
                                Map.of("kind", "DENY", "cidr", "198.51.100.0/24"))),
                new Case(
                        "list global IP rules",
                        statuses(200, 200, 403, 403),
                        t -> status(t, HttpMethod.GET, "/admin/ip-rules", null)),
                new Case(
                        "create a webhook, own tenant",
                        statuses(201, 403, 403, 201),
                        t -> status(
                                t,
                                HttpMethod.POST,
                                "/admin/tenants/" + tenantA + "/webhooks",
                                webhook("https://93.184.215.14/a"))),
                new Case(
                        "create a webhook, other tenant",
                        statuses(201, 403, 403, 404),
                        t -> status(
                                t,
                                HttpMethod.POST,
                                "/admin/tenants/" + tenantB + "/webhooks",
                                webhook("https://93.184.215.14/b"))),
                new Case(
                        "list webhooks",
                        statuses(200, 200, 403, 200),
                        t -> status(t, HttpMethod.GET, "/admin/tenants/" + tenantA + "/webhooks", null)));

        List<String> mismatches = new ArrayList<>();
        for (Case c : cases) {
            c.expected().forEach((role, expected) -> {
                int actual = c.call().apply(tokens.get(role));
                if (actual != expected) {
                    mismatches.add(c.name() + " as " + role + ": expected " + expected + ", got " + actual);
                }
            });
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void a_tenant_admin_lists_only_its_own_tenant() {
        JsonNode page = json(expect(tokens.get("tenant-admin"), HttpMethod.GET, "/admin/tenants", null, 200));

        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("items").get(0).path("tenantId").asString()).isEqualTo(tenantA);
    }

    @Test
    void bad_input_gets_a_json_error_with_field_details() {
        JsonNode invalid = json(expect(
                BOOTSTRAP,
                HttpMethod.POST,
                "/admin/tenants",
                Map.of("name", "", "timeZone", "UTC", "plan", "Pro Plan"),
                400));
        assertThat(invalid.path("error").path("type").asString()).isEqualTo("invalid_request");
        assertThat(invalid.path("error").path("fields").findValuesAsString("field"))
                .containsExactlyInAnyOrder("name", "plan");

        JsonNode zone = json(expect(BOOTSTRAP, HttpMethod.POST, "/admin/tenants", tenantIn("Mars/Olympus"), 400));
        assertThat(zone.path("error").path("message").asString()).contains("timeZone");

        String malformed = new String(
                client.post()
                        .uri("/admin/tenants")
                        .header("Authorization", "Bearer " + BOOTSTRAP)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"name\":")
                        .exchange()
                        .expectStatus()
                        .isBadRequest()
                        .expectBody()
                        .returnResult()
                        .getResponseBody(),
                StandardCharsets.UTF_8);
        assertThat(malformed).contains("\"type\":\"invalid_request\"").doesNotContain("Exception");

        assertThat(json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/no-such-thing", null, 404))
                        .path("error")
                        .path("type")
                        .asString())
                .isEqualTo("not_found");
        assertThat(json(expect(null, HttpMethod.GET, "/admin/tenants", null, 401))
                        .path("error")
                        .path("type")
                        .asString())
                .isEqualTo("unauthorized");
        assertThat(json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/tenants?limit=0", null, 400))
                        .path("error")
                        .path("message")
                        .asString())
                .contains("limit");
    }

    @Test
    void the_openapi_document_describes_the_api_without_internal_parameters() {
        JsonNode doc = json(expect(null, HttpMethod.GET, "/admin/openapi.json", null, 200));

        assertThat(doc.path("openapi").asString()).startsWith("3.");
        assertThat(doc.path("paths").propertyNames())
                .contains(
                        "/admin/tenants",
                        "/admin/tenants/{tenantId}/apps/{appId}/credentials",
                        "/admin/tenants/{tenantId}/policy",
                        "/admin/tenants/{tenantId}/webhooks",
                        "/admin/audit/verify");
        assertThat(doc.toString()).doesNotContain("\"name\":\"principal\"");
        assertThat(doc.path("paths").propertyNames()).noneMatch(path -> path.startsWith("/internal/"));
        assertThat(doc.path("components")
                        .path("securitySchemes")
                        .path("bearer")
                        .path("scheme")
                        .asString())
                .isEqualTo("bearer");
    }

    private String newCredentialId(String tenantId, String appId) {
        return json(expect(BOOTSTRAP, HttpMethod.POST, credentials(tenantId, appId), Map.of(), 201))
                .path("credential")
                .path("credentialId")
                .asString();
    }

    private static Map<String, Integer> statuses(int platform, int security, int finance, int tenantAdmin) {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("platform-admin", platform);
        expected.put("security-officer", security);
        expected.put("finance", finance);
        expected.put("tenant-admin", tenantAdmin);
        return expected;
    }

    private static Map<String, String> tenantIn(String zone) {
        return Map.of("name", "Z", "timeZone", zone, "plan", "pro");
    }
}
