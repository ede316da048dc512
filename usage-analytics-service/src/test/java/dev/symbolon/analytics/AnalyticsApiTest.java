package dev.symbolon.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The analytics API: its credentials and roles, parameters validated, finance reports and CSV export. */
class AnalyticsApiTest extends AnalyticsContextTest {

    @Test
    void the_usage_api_requires_the_admin_token_and_validates_its_parameters() {
        client.get()
                .uri("/analytics/usage?tenantId=t")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.get()
                .uri("/analytics/usage?tenantId=t")
                .header("Authorization", "Bearer nope")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.get()
                .uri("/analytics/usage?tenantId=t&limit=0")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isBadRequest();
        client.get()
                .uri("/analytics/usage?tenantId=t&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isBadRequest();
    }

    @Test
    void a_jwt_bought_with_a_revoked_admin_key_is_refused_as_soon_as_the_revocation_is_read() {
        Instant hour = Instant.now().plusSeconds(3600);
        String revokedKey = "adk_revoked_" + UUID.randomUUID();
        String revoked = adminJwt(ADMIN.privateKey(), KID, "finance", null, "symbolon-admin-api", hour, revokedKey);
        String kept = adminJwt(
                ADMIN.privateKey(), KID, "finance", null, "symbolon-admin-api", hour, "adk_kept_" + UUID.randomUUID());
        assertThat(status(revoked, "GET", "/analytics/costs?tenantId=t_mine")).isEqualTo(200);

        long sent = System.nanoTime();
        kafka.send(
                Topics.ADMIN_KEY_REVOCATIONS,
                revokedKey,
                dev.symbolon.contracts.EventJson.encode(new dev.symbolon.contracts.AdminKeyRevoked(
                        UUID.randomUUID(),
                        Instant.now(),
                        "_platform",
                        dev.symbolon.contracts.AdminKeyRevoked.CURRENT_VERSION,
                        revokedKey)));

        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> status(revoked, "GET", "/analytics/costs?tenantId=t_mine") == 401);
        System.out.printf(
                "a revoked admin key's JWT refused by analytics %d ms after the revocation was published%n",
                (System.nanoTime() - sent) / 1_000_000);
        assertThat(status(kept, "GET", "/analytics/costs?tenantId=t_mine"))
                .as("another admin key's token is unaffected")
                .isEqualTo(200);
    }

    @Test
    void admin_jwts_from_admin_api_scope_what_each_role_reads() {
        Instant hour = Instant.now().plusSeconds(3600);
        String finance = adminJwt(ADMIN.privateKey(), KID, "finance", null, "symbolon-admin-api", hour);
        String tenantAdmin = adminJwt(ADMIN.privateKey(), KID, "tenant-admin", "t_mine", "symbolon-admin-api", hour);
        String security = adminJwt(ADMIN.privateKey(), KID, "security-officer", null, "symbolon-admin-api", hour);
        java.security.KeyPair other = io.jsonwebtoken.Jwts.SIG.ES256.keyPair().build();

        assertThat(status(finance, "GET", "/analytics/costs?tenantId=t_mine")).isEqualTo(200);
        assertThat(status(finance, "GET", "/analytics/usage?tenantId=t_theirs")).isEqualTo(200);
        assertThat(status(tenantAdmin, "GET", "/analytics/costs?tenantId=t_mine"))
                .isEqualTo(200);
        assertThat(status(tenantAdmin, "GET", "/analytics/usage?tenantId=t_theirs"))
                .as("another tenant does not exist for a tenant admin")
                .isEqualTo(404);
        assertThat(status(tenantAdmin, "GET", "/analytics/prices")).isEqualTo(404);
        assertThat(status(tenantAdmin, "POST", "/analytics/prices")).isEqualTo(403);
        assertThat(status(tenantAdmin, "PUT", "/analytics/prices")).isEqualTo(403);
        assertThat(status(tenantAdmin, "POST", "/analytics/prices/import")).isEqualTo(403);
        assertThat(status(security, "PUT", "/analytics/prices")).isEqualTo(403);
        assertThat(status(security, "GET", "/analytics/costs?tenantId=t_mine")).isEqualTo(403);

        // Forged, expired, for another audience, or not ES256: not a caller at all.
        for (String bad : new String[] {
            adminJwt(other.getPrivate(), KID, "finance", null, "symbolon-admin-api", hour),
            adminJwt(
                    ADMIN.privateKey(),
                    KID,
                    "finance",
                    null,
                    "symbolon-admin-api",
                    Instant.now().minusSeconds(60)),
            adminJwt(ADMIN.privateKey(), KID, "finance", null, "someone-else", hour),
            adminJwt(ADMIN.privateKey(), "unknown-kid", "finance", null, "symbolon-admin-api", hour),
            io.jsonwebtoken.Jwts.builder()
                    .issuer("symbolon-admin")
                    .audience()
                    .add("symbolon-admin-api")
                    .and()
                    .claim("role", "finance")
                    .expiration(java.util.Date.from(hour))
                    .signWith(io.jsonwebtoken.Jwts.SIG.HS256.key().build())
                    .compact(),
        }) {
            assertThat(status(bad, "GET", "/analytics/costs?tenantId=t_mine")).isEqualTo(401);
        }

        String created = client.post()
                .uri("/analytics/prices")
                .header("Authorization", "Bearer " + finance)
                .bodyValue(java.util.Map.of(
                        "provider",
                        "mistral",
                        "model",
                        "jwt-model",
                        "rates",
                        java.util.Map.of("input", "1", "output", "2")))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(created).contains("jwt-model");
        assertThat(jdbc.queryForObject(
                        "select created_by from analytics.price where model = 'jwt-model'", String.class))
                .isEqualTo("adm_finance");
    }

    private int status(String token, String method, String path) {
        return client.method(org.springframework.http.HttpMethod.valueOf(method))
                .uri(path)
                .header("Authorization", "Bearer " + token)
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getStatus()
                .value();
    }

    @Test
    void finance_reports_filter_rank_and_export_every_fact_as_csv() {
        String tenant = "t_fin" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Instant at = Instant.parse("2026-08-10T10:00:00Z");
        List<UsageRecorded> events = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            events.add(withApp(event(tenant, "openai", "gpt-4o-mini", at.plusSeconds(i), 1_000_000, 0, 0), "app_big"));
        }
        for (int i = 0; i < 3; i++) {
            events.add(withApp(
                    event(tenant, "openai", "=HYPERLINK(\"x\")", at.plusSeconds(100 + i), 10, 0, 10), "app_small"));
        }
        events.forEach(this::send);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForObject(
                                "select count(*) from analytics.usage_fact where tenant_id = ?", Long.class, tenant)
                        == 15);
        String range = "&from=2026-08-01T00:00:00Z&to=2026-09-01T00:00:00Z";

        JsonNode small = json(get("/analytics/costs?tenantId=" + tenant + "&appId=app_small&groupBy=model" + range));
        assertThat(small.path("totals").path("requests").asLong()).isEqualTo(3);
        assertThat(small.path("totals").path("unpricedRequests").asLong()).isEqualTo(3);
        JsonNode big = json(get("/analytics/costs?tenantId=" + tenant + "&appId=app_big&granularity=month" + range));
        assertThat(big.path("totals").path("costUsd").decimalValue()).isEqualByComparingTo("1.8"); // 12 x 1M x 0.15

        JsonNode top = json(get("/analytics/top?tenantId=" + tenant + "&by=app&metric=requests&limit=1" + range));
        assertThat(top).hasSize(1);
        assertThat(top.get(0).path("name").asString()).isEqualTo("app_big");
        JsonNode everyTenant = json(get("/analytics/top?by=tenant&metric=cost&limit=100" + range));
        assertThat(everyTenant.findValuesAsString("name")).contains(tenant);

        String csv = get("/analytics/usage/export?tenantId=" + tenant + range);
        List<String> lines = csv.lines().toList();
        assertThat(lines).hasSize(16);
        assertThat(lines.get(0)).startsWith("occurred_at,tenant_id,app_id");
        assertThat(lines).filteredOn(l -> l.contains("app_big")).hasSize(12).allMatch(l -> l.contains(",0.15"));
        assertThat(lines)
                .filteredOn(l -> l.contains("app_small"))
                .hasSize(3)
                .allMatch(l -> l.contains(",\"'=HYPERLINK(\"\"x\"\")\","), "formula neutralised and quoted");
    }

    private static UsageRecorded withApp(UsageRecorded e, String appId) {
        return new UsageRecorded(
                e.eventId(),
                e.occurredAt(),
                e.tenantId(),
                e.version(),
                appId,
                e.keyId(),
                e.keyKind(),
                e.provider(),
                e.model(),
                e.endpoint(),
                e.status(),
                e.outcome(),
                e.inputTokens(),
                e.outputTokens(),
                e.cachedInputTokens(),
                e.streamed(),
                e.partial(),
                e.latencyMs(),
                e.overheadMs(),
                e.requestId());
    }
}
