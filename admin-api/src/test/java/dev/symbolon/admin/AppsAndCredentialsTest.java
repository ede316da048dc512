package dev.symbolon.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.symbolon.admin.apps.Apps;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.auth.Role;
import dev.symbolon.contracts.CredentialHasher;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.TenantConfigSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/** Apps and their credentials: shown once, hashed, revoked into the snapshot; idempotent creates, aborted changes, paging. */
class AppsAndCredentialsTest extends AdminApiContextTest {

    @Test
    void an_issued_credential_is_shown_once_and_stored_nowhere_but_as_its_keyed_hash() {
        JsonNode issued = json(expect(BOOTSTRAP, HttpMethod.POST, credentials(tenantA, appA), Map.of(), 201));
        String key = issued.path("key").asString();
        String credentialId = issued.path("credential").path("credentialId").asString();
        assertThat(key).startsWith("sym_live_").hasSizeGreaterThan(40);

        String listed = new String(
                expect(BOOTSTRAP, HttpMethod.GET, credentials(tenantA, appA), null, 200), StandardCharsets.UTF_8);
        assertThat(listed).contains(credentialId).doesNotContain(key);
        List<String> rows = new ArrayList<>();
        for (String table : jdbc.queryForList(
                "select table_name from information_schema.tables where table_schema = 'admin'", String.class)) {
            rows.addAll(jdbc.queryForList("select t::text from admin." + table + " t", String.class));
        }
        assertThat(rows).isNotEmpty().noneMatch(row -> row.contains(key));
        String hash = new CredentialHasher(Secret.of(PEPPER)).hash(key);
        assertThat(rows).anyMatch(row -> row.contains(hash));

        TenantConfigSnapshot snapshot = awaitSnapshot(tenantA, s -> s.apps().stream()
                .flatMap(app -> app.credentials().stream())
                .anyMatch(c -> c.credentialId().equals(credentialId)));
        assertThat(snapshot.apps().stream().flatMap(app -> app.credentials().stream()))
                .filteredOn(c -> c.credentialId().equals(credentialId))
                .singleElement()
                .satisfies(c -> assertThat(c.hash()).isEqualTo(hash));
    }

    @Test
    void a_revoked_credential_leaves_the_next_snapshot() {
        JsonNode issued = json(expect(BOOTSTRAP, HttpMethod.POST, credentials(tenantA, appA), Map.of(), 201));
        String credentialId = issued.path("credential").path("credentialId").asString();

        JsonNode revoked =
                json(expect(BOOTSTRAP, HttpMethod.DELETE, credentials(tenantA, appA) + "/" + credentialId, null, 200));

        assertThat(revoked.path("status").asString()).isEqualTo("REVOKED");
        long revision = json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/tenants/" + tenantA, null, 200))
                .path("revision")
                .asLong();
        TenantConfigSnapshot latest = awaitSnapshot(tenantA, s -> s.revision() == revision);
        assertThat(latest.apps().stream().flatMap(app -> app.credentials().stream()))
                .noneMatch(c -> c.credentialId().equals(credentialId));
    }

    @Test
    void an_app_token_revoked_at_an_edge_joins_the_snapshot_until_it_expires_and_is_audited() {
        String tokenId = UUID.randomUUID().toString();
        Instant expiresAt = Instant.now().plusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Map<String, Object> revocation =
                Map.of("tenantId", tenantA, "appId", appA, "tokenId", tokenId, "expiresAt", expiresAt.toString());

        // Not for admins, not for anyone without the service token.
        assertThat(status(BOOTSTRAP, HttpMethod.POST, "/internal/v1/app-token-revocations", revocation))
                .isEqualTo(401);
        assertThat(status(null, HttpMethod.POST, "/internal/v1/app-token-revocations", revocation))
                .isEqualTo(401);
        JsonNode first =
                json(expect(SERVICE_TOKEN, HttpMethod.POST, "/internal/v1/app-token-revocations", revocation, 200));
        JsonNode again =
                json(expect(SERVICE_TOKEN, HttpMethod.POST, "/internal/v1/app-token-revocations", revocation, 200));

        assertThat(first.path("revoked").asBoolean()).isTrue();
        assertThat(again.path("revoked").asBoolean()).isFalse();
        TenantConfigSnapshot latest = awaitSnapshot(tenantA, s -> s.revokedTokens().stream()
                .anyMatch(t -> t.tokenId().equals(tokenId)));
        assertThat(latest.revokedTokens())
                .filteredOn(t -> t.tokenId().equals(tokenId))
                .singleElement()
                .satisfies(t -> {
                    assertThat(t.appId()).isEqualTo(appA);
                    assertThat(t.expiresAt()).isEqualTo(expiresAt);
                });
        JsonNode audit = json(expect(
                BOOTSTRAP, HttpMethod.GET, "/admin/audit?action=app-token.revoked&tenantId=" + tenantA, null, 200));
        assertThat(audit.path("items").toString()).contains(tokenId).contains("app:" + appA);

        Map<String, Object> expired = Map.of(
                "tenantId",
                tenantA,
                "appId",
                appA,
                "tokenId",
                UUID.randomUUID().toString(),
                "expiresAt",
                Instant.now().minusSeconds(1).toString());
        assertThat(json(expect(SERVICE_TOKEN, HttpMethod.POST, "/internal/v1/app-token-revocations", expired, 200))
                        .path("revoked")
                        .asBoolean())
                .isFalse();
        Map<String, Object> otherTenantsApp =
                Map.of("tenantId", tenantB, "appId", appA, "tokenId", tokenId, "expiresAt", expiresAt.toString());
        expect(SERVICE_TOKEN, HttpMethod.POST, "/internal/v1/app-token-revocations", otherTenantsApp, 404);
        expect(SERVICE_TOKEN, HttpMethod.POST, "/internal/v1/app-token-revocations", Map.of("tenantId", tenantA), 400);
    }

    @Test
    void a_retried_create_with_the_same_idempotency_key_creates_once() {
        String idempotencyKey = "create-" + UUID.randomUUID();
        Map<String, String> body = tenant("Idem " + idempotencyKey);

        EntityExchangeResult<byte[]> first = withKey(idempotencyKey, "/admin/tenants", body);
        EntityExchangeResult<byte[]> second = withKey(idempotencyKey, "/admin/tenants", body);

        assertThat(first.getStatus().value()).isEqualTo(201);
        assertThat(second.getStatus().value()).isEqualTo(201);
        assertThat(second.getResponseHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThat(json(second.getResponseBodyContent()).path("tenantId").asString())
                .isEqualTo(json(first.getResponseBodyContent()).path("tenantId").asString());
        assertThat(jdbc.queryForObject(
                        "select count(*) from admin.tenant where name = ?", Long.class, body.get("name")))
                .isEqualTo(1);

        EntityExchangeResult<byte[]> different = withKey(idempotencyKey, "/admin/tenants", tenant("Someone else"));
        assertThat(different.getStatus().value()).isEqualTo(409);
    }

    @Test
    void a_replayed_credential_create_never_shows_or_stores_the_key_again() {
        String idempotencyKey = "cred-" + UUID.randomUUID();
        String path = credentials(tenantA, appA);

        JsonNode first = json(withKey(idempotencyKey, path, Map.of()).getResponseBodyContent());
        JsonNode replay = json(withKey(idempotencyKey, path, Map.of()).getResponseBodyContent());

        String key = first.path("key").asString();
        assertThat(key).startsWith("sym_live_");
        assertThat(replay.has("key")).isFalse();
        assertThat(replay.path("credential").path("credentialId").asString())
                .isEqualTo(first.path("credential").path("credentialId").asString());
        assertThat(jdbc.queryForList("select r::text from admin.idempotency_record r", String.class))
                .noneMatch(row -> row.contains(key));
    }

    private EntityExchangeResult<byte[]> withKey(String idempotencyKey, String path, Object body) {
        return client.post()
                .uri(path)
                .header("Authorization", "Bearer " + BOOTSTRAP)
                .header("Idempotency-Key", idempotencyKey)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectBody()
                .returnResult();
    }

    @Autowired
    Apps apps;

    @Autowired
    TransactionTemplate transactions;

    @Test
    void an_aborted_change_leaves_neither_the_change_nor_a_snapshot_in_the_outbox() {
        long outboxBefore = jdbc.queryForObject("select count(*) from admin.outbox", Long.class);
        AdminPrincipal bootstrap = new AdminPrincipal("bootstrap", Role.PLATFORM_ADMIN, null);

        assertThatThrownBy(() -> transactions.executeWithoutResult(tx -> {
                    apps.createApp(bootstrap, tenantA, "doomed");
                    throw new IllegalStateException("abort after the outbox append");
                }))
                .hasMessageContaining("abort");

        assertThat(jdbc.queryForObject("select count(*) from admin.outbox", Long.class))
                .isEqualTo(outboxBefore);
        assertThat(jdbc.queryForObject("select count(*) from admin.app where name = 'doomed'", Long.class))
                .isZero();
    }

    @Test
    void lists_page_by_cursor_without_gaps_or_repeats() {
        for (int i = 0; i < 5; i++) {
            expect(BOOTSTRAP, HttpMethod.POST, "/admin/tenants/" + tenantB + "/apps", Map.of("name", "p" + i), 201);
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json(expect(
                    BOOTSTRAP,
                    HttpMethod.GET,
                    "/admin/tenants/" + tenantB + "/apps?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                    null,
                    200));
            page.path("items").forEach(item -> seen.add(item.path("appId").asString()));
            cursor = page.path("nextCursor").isNull()
                    ? null
                    : page.path("nextCursor").asString();
        } while (cursor != null);

        List<String> all = jdbc.queryForList(
                "select app_id from admin.app where tenant_id = ? order by app_id", String.class, tenantB);
        assertThat(seen).containsExactlyElementsOf(all);
    }
}
