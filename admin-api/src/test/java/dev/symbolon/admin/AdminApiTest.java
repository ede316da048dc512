package dev.symbolon.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.symbolon.admin.apps.Apps;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.auth.Role;
import dev.symbolon.contracts.AuditEvent;
import dev.symbolon.contracts.CredentialHasher;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.GoldenFiles;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** admin-api against a real PostgreSQL and an embedded KRaft broker. */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=admin-api",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "DATABASE_USERNAME=postgres",
            "DATABASE_PASSWORD=",
            "SYMBOLON_ADMIN_TOKEN=" + AdminApiTest.BOOTSTRAP,
            "SYMBOLON_CREDENTIAL_PEPPER=" + AdminApiTest.PEPPER,
            "SYMBOLON_SERVICE_TOKEN=" + AdminApiTest.SERVICE_TOKEN,
            "SYMBOLON_IDP_ISSUER=https://idp.example",
            "SYMBOLON_IDP_AUDIENCE=symbolon-admin",
        })
@EmbeddedKafka(partitions = 1)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {

    static final String BOOTSTRAP = "sym_admin_bootstrap_for_tests";
    static final String PEPPER = "pepper-for-tests";
    static final String SERVICE_TOKEN = "service-token-for-tests";

    /** Plays key-vault-service, which keeps webhook secrets. */
    static final WireMockServer keyVault = new WireMockServer(options().dynamicPort());

    static final JsonMapper JSON = JsonMapper.builder().build();

    static final EmbeddedPostgres postgres;

    /** The external identity provider's signing key; its public half is served as a JWK set. */
    static final java.security.KeyPair IDP_KEY = Jwts.SIG.RS256.keyPair().build();

    static {
        keyVault.start();
        keyVault.stubFor(WireMock.get(urlEqualTo("/idp/jwks.json"))
                .willReturn(WireMock.okJson("{\"keys\":["
                        + Jwks.json(Jwks.builder()
                                .key((java.security.interfaces.RSAPublicKey) IDP_KEY.getPublic())
                                .id("idp-1")
                                .build())
                        + "]}")));
        postgres = dev.symbolon.support.testing.TestPostgres.start();
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("KEY_VAULT_URL", keyVault::baseUrl);
        registry.add("SYMBOLON_IDP_JWKS_URI", () -> keyVault.baseUrl() + "/idp/jwks.json");
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
        keyVault.stop();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EmbeddedKafkaBroker kafka;

    WebTestClient client;
    String tenantA;
    String tenantB;
    String appA;
    String appB;
    final Map<String, String> tokens = new LinkedHashMap<>();

    @BeforeAll
    void setUp() {
        keyVault.stubFor(any(urlPathMatching("/internal/v1/webhook-secrets/.*"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + SERVICE_TOKEN))
                .willReturn(aResponse().withStatus(204)));
        client = WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(20))
                .build();
        tenantA = json(expect(BOOTSTRAP, HttpMethod.POST, "/admin/tenants", tenant("Acme"), 201))
                .path("tenantId")
                .asString();
        tenantB = json(expect(BOOTSTRAP, HttpMethod.POST, "/admin/tenants", tenant("Globex"), 201))
                .path("tenantId")
                .asString();
        appA = json(expect(BOOTSTRAP, HttpMethod.POST, "/admin/tenants/" + tenantA + "/apps", Map.of("name", "a"), 201))
                .path("appId")
                .asString();
        appB = json(expect(BOOTSTRAP, HttpMethod.POST, "/admin/tenants/" + tenantB + "/apps", Map.of("name", "b"), 201))
                .path("appId")
                .asString();
        tokens.put("platform-admin", BOOTSTRAP);
        tokens.put("security-officer", adminKey("security-officer", null));
        tokens.put("finance", adminKey("finance", null));
        tokens.put("tenant-admin", adminKey("tenant-admin", tenantA));
    }

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
    void admin_keys_exchange_for_tokens_that_carry_their_role_and_tenant() {
        JsonNode token = json(expect(tokens.get("tenant-admin"), HttpMethod.POST, "/admin/auth/token", null, 200));
        String jwt = token.path("access_token").asString();
        assertThat(token.path("expires_in").asLong()).isEqualTo(900);

        JsonNode me = json(expect(jwt, HttpMethod.GET, "/admin/whoami", null, 200));

        assertThat(me.path("role").asString()).isEqualTo("TENANT_ADMIN");
        assertThat(me.path("tenantId").asString()).isEqualTo(tenantA);
        assertThat(status(jwt, HttpMethod.GET, "/admin/tenants/" + tenantB, null))
                .isEqualTo(404);
        assertThat(status(jwt.substring(0, jwt.length() - 4) + "AAAA", HttpMethod.GET, "/admin/whoami", null))
                .isEqualTo(401);
        client.get()
                .uri("/admin/.well-known/jwks.json")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.keys[0].kty")
                .isEqualTo("EC");
    }

    @Test
    void a_revoked_admin_key_no_longer_authenticates() {
        JsonNode issued = json(expect(
                BOOTSTRAP, HttpMethod.POST, "/admin/admin-keys", Map.of("role", "finance", "label", "temp"), 201));
        String key = issued.path("key").asString();
        assertThat(status(key, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(200);

        revokeAdminKey(issued);

        assertThat(status(key, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(401);
    }

    @Test
    void a_token_buys_no_token_and_revoking_its_admin_key_ends_the_token_at_once() {
        JsonNode issued = json(expect(
                BOOTSTRAP, HttpMethod.POST, "/admin/admin-keys", Map.of("role", "finance", "label", "temp"), 201));
        String key = issued.path("key").asString();
        String jwt = json(expect(key, HttpMethod.POST, "/admin/auth/token", null, 200))
                .path("access_token")
                .asString();
        assertThat(status(jwt, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(200);
        JsonNode refused = json(expect(jwt, HttpMethod.POST, "/admin/auth/token", null, 403));
        assertThat(refused.path("error").path("type").asString()).isEqualTo("token_not_exchangeable");
        String bootstrapJwt = json(expect(BOOTSTRAP, HttpMethod.POST, "/admin/auth/token", null, 200))
                .path("access_token")
                .asString();
        assertThat(status(bootstrapJwt, HttpMethod.POST, "/admin/auth/token", null))
                .isEqualTo(403);

        revokeAdminKey(issued);

        assertThat(status(jwt, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(401);
        assertThat(status(jwt, HttpMethod.POST, "/admin/auth/token", null)).isEqualTo(401);
        assertThat(status(bootstrapJwt, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(200);
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
    void every_change_is_audited_with_who_what_where_and_the_chain_verifies() {
        String appId = json(expect(
                        tokens.get("tenant-admin"),
                        HttpMethod.POST,
                        "/admin/tenants/" + tenantA + "/apps",
                        Map.of("name", "audited"),
                        201))
                .path("appId")
                .asString();

        JsonNode entries = json(expect(
                        BOOTSTRAP, HttpMethod.GET, "/admin/audit?action=app.created&tenantId=" + tenantA, null, 200))
                .path("items");
        JsonNode entry = null;
        for (JsonNode candidate : entries) {
            if (appId.equals(candidate.path("target").asString())) {
                entry = candidate;
            }
        }
        assertThat(entry).isNotNull();
        assertThat(entry.path("actorRole").asString()).isEqualTo("tenant-admin");
        assertThat(entry.path("actor").asString()).startsWith("adk_");
        assertThat(entry.path("service").asString()).isEqualTo("admin-api");
        assertThat(entry.path("sourceIp").asString()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(entry.path("requestId").asString()).isNotBlank();
        assertThat(entry.path("details").path("after.name").asString()).isEqualTo("audited");

        JsonNode verification = json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200));
        assertThat(verification.path("valid").asBoolean()).isTrue();
        assertThat(verification.path("verifiedEntries").asLong()).isPositive();
    }

    @Test
    void a_tampered_entry_breaks_the_chain_at_that_entry() {
        expect(BOOTSTRAP, HttpMethod.PATCH, "/admin/tenants/" + tenantB, Map.of("plan", "enterprise"), 200);
        long seq = jdbc.queryForObject(
                "select max(seq) from admin.audit_entry where action = 'tenant.updated'", Long.class);
        String original =
                jdbc.queryForObject("select details::text from admin.audit_entry where seq = ?", String.class, seq);
        try {
            jdbc.update("update admin.audit_entry set details = '{\"after.plan\": \"free\"}' where seq = ?", seq);

            JsonNode verification = json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200));

            assertThat(verification.path("valid").asBoolean()).isFalse();
            assertThat(verification.path("firstInvalidSeq").asLong()).isEqualTo(seq);
        } finally {
            jdbc.update("update admin.audit_entry set details = cast(? as jsonb) where seq = ?", original, seq);
        }
        assertThat(json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200))
                        .path("valid")
                        .asBoolean())
                .isTrue();
    }

    @Autowired
    KafkaTemplate<String, byte[]> producer;

    @Test
    void entries_from_other_services_join_the_log_once_each() {
        AuditEvent golden = GoldenFiles.decode(Topics.AUDIT, AuditEvent.class);
        AuditEvent event = new AuditEvent(
                UUID.randomUUID(),
                golden.occurredAt(),
                tenantA,
                1,
                golden.actor(),
                golden.actorRole(),
                golden.action(),
                "key_" + UUID.randomUUID(),
                golden.service(),
                golden.sourceIp(),
                golden.requestId(),
                golden.details());

        producer.send(Topics.AUDIT, tenantA, EventJson.encode(event));
        producer.send(Topics.AUDIT, tenantA, EventJson.encode(event));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForObject(
                                "select count(*) from admin.audit_entry where entry_id = ?",
                                Long.class,
                                event.eventId())
                        == 1);
        producer.send(
                Topics.AUDIT,
                tenantA,
                EventJson.encode(new AuditEvent(
                        UUID.randomUUID(),
                        golden.occurredAt(),
                        tenantA,
                        1,
                        "marker",
                        "service",
                        "marker.sent",
                        "m",
                        "test",
                        null,
                        null,
                        Map.of())));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForObject(
                                "select count(*) from admin.audit_entry where action = 'marker.sent'", Long.class)
                        == 1);
        assertThat(jdbc.queryForObject(
                        "select count(*) from admin.audit_entry where entry_id = ?", Long.class, event.eventId()))
                .isEqualTo(1);
        assertThat(json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200))
                        .path("valid")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void an_audit_entry_that_is_malformed_or_carries_a_nul_byte_does_not_stop_the_log() {
        byte[] malformed = "{\"an\":\"audit entry?\"}".getBytes(StandardCharsets.UTF_8);
        producer.send(Topics.AUDIT, tenantA, malformed);
        String withNul = new String(
                        EventJson.encode(new AuditEvent(
                                UUID.randomUUID(),
                                Instant.now(),
                                tenantA,
                                1,
                                "edge-proxy",
                                "service",
                                "nul.sent",
                                "key_nul",
                                "test",
                                null,
                                null,
                                Map.of("label", "before-after"))),
                        StandardCharsets.UTF_8)
                .replace("before-after", "before\\u0000after");
        producer.send(Topics.AUDIT, tenantA, withNul.getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForObject(
                                "select count(*) from admin.audit_entry where action = 'nul.sent'", Long.class)
                        == 1);
        assertThat(jdbc.queryForObject(
                        "select details::text from admin.audit_entry where action = 'nul.sent'", String.class))
                .contains("before\uFFFDafter");
        java.util.Properties config = new java.util.Properties();
        config.put("bootstrap.servers", kafka.getBrokersAsString());
        config.put("group.id", "dlt-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                config,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.deadLetter(Topics.AUDIT)));
            List<byte[]> dead = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> dead.add(r.value()));
                return dead.stream().anyMatch(v -> java.util.Arrays.equals(v, malformed));
            });
        }
        assertThat(json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/audit/verify", null, 200))
                        .path("valid")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void a_policy_and_ip_rules_reach_the_tenant_snapshot_exactly() {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("allowedProviders", List.of("openai", "compat:local-llm"));
        policy.put("allowedModels", List.of("gpt-4o*"));
        policy.put("allowedEndpoints", List.of("/chat/completions"));
        policy.put("requestsPerMinute", 600);
        policy.put("costPerMonthUsd", new java.math.BigDecimal("5000.000001"));
        policy.put("alertThresholdsPercent", List.of(100, 50, 80));
        policy.put("maxStreamSeconds", 600);
        policy.put("maxStreamBytes", 33_554_432);
        policy.put("overQuota", "clamp");
        expect(BOOTSTRAP, HttpMethod.PUT, "/admin/tenants/" + tenantB + "/policy", policy, 200);
        expect(
                BOOTSTRAP,
                HttpMethod.PUT,
                "/admin/tenants/" + tenantB + "/apps/" + appB + "/policy",
                Map.of("tokensPerMinute", 1000),
                200);
        String ruleId = json(expect(
                        tokens.get("security-officer"),
                        HttpMethod.POST,
                        "/admin/tenants/" + tenantB + "/ip-rules",
                        Map.of("kind", "ALLOW", "cidr", "2001:db8::/32", "description", "office"),
                        201))
                .path("ruleId")
                .asString();
        long revision = json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/tenants/" + tenantB, null, 200))
                .path("revision")
                .asLong();

        TenantConfigSnapshot snapshot = awaitSnapshot(tenantB, s -> s.revision() == revision);

        assertThat(snapshot.policy().allowedProviders()).containsExactly("openai", "compat:local-llm");
        assertThat(snapshot.policy().costPerMonthUsd()).isEqualByComparingTo("5000.000001");
        assertThat(snapshot.policy().alertThresholdsPercent()).containsExactly(50, 80, 100);
        assertThat(snapshot.policy().maxStreamSeconds()).isEqualTo(600L);
        assertThat(snapshot.policy().maxStreamBytes()).isEqualTo(33_554_432L);
        assertThat(snapshot.policy().overQuota()).isEqualTo("clamp");
        assertThat(snapshot.apps())
                .filteredOn(a -> a.appId().equals(appB))
                .singleElement()
                .satisfies(a -> assertThat(a.policy().tokensPerMinute()).isEqualTo(1000L));
        assertThat(snapshot.ipRules().allow()).contains("2001:db8:0:0:0:0:0:0/32");

        expect(
                tokens.get("security-officer"),
                HttpMethod.DELETE,
                "/admin/tenants/" + tenantB + "/ip-rules/" + ruleId,
                null,
                204);
        long after = json(expect(BOOTSTRAP, HttpMethod.GET, "/admin/tenants/" + tenantB, null, 200))
                .path("revision")
                .asLong();
        assertThat(awaitSnapshot(tenantB, s -> s.revision() == after).ipRules().allow())
                .doesNotContain("2001:db8:0:0:0:0:0:0/32");
    }

    @Test
    void global_ip_rules_travel_as_the_platform_snapshot() {
        expect(BOOTSTRAP, HttpMethod.POST, "/admin/ip-rules", Map.of("kind", "DENY", "cidr", "100.64.0.0/10"), 201);

        TenantConfigSnapshot platform =
                awaitSnapshot("_platform", s -> s.ipRules().deny().contains("100.64.0.0/10"));

        assertThat(platform.apps()).isEmpty();
    }

    @Test
    void invalid_policies_and_rules_are_refused_with_reasons() {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("allowedProviders", List.of("openia"));
        policy.put("allowedEndpoints", List.of("/../admin"));
        policy.put("requestsPerMinute", -1);
        policy.put("costPerDayUsd", new java.math.BigDecimal("1.0000001"));
        policy.put("alertThresholdsPercent", List.of(0, 150));
        policy.put("maxStreamSeconds", 86_401);
        policy.put("maxStreamBytes", 0);
        policy.put("overQuota", "maybe");
        JsonNode error = json(expect(BOOTSTRAP, HttpMethod.PUT, "/admin/tenants/" + tenantA + "/policy", policy, 400));
        assertThat(error.path("error").path("fields").findValuesAsString("field"))
                .anyMatch(f -> f.startsWith("allowedProviders"))
                .anyMatch(f -> f.startsWith("allowedEndpoints"))
                .contains("requestsPerMinute", "costPerDayUsd", "maxStreamSeconds", "maxStreamBytes", "overQuota")
                .anyMatch(f -> f.startsWith("alertThresholdsPercent"));

        JsonNode hostBits = json(expect(
                BOOTSTRAP,
                HttpMethod.POST,
                "/admin/tenants/" + tenantA + "/ip-rules",
                Map.of("kind", "DENY", "cidr", "10.1.2.3/8"),
                400));
        assertThat(hostBits.path("error").path("message").asString()).contains("10.0.0.0/8");
        expect(
                BOOTSTRAP,
                HttpMethod.POST,
                "/admin/tenants/" + tenantA + "/ip-rules",
                Map.of("kind", "DENY", "cidr", "example.com"),
                400);
        expect(
                BOOTSTRAP,
                HttpMethod.POST,
                "/admin/tenants/" + tenantA + "/ip-rules",
                Map.of("kind", "MAYBE", "cidr", "10.0.0.0/8"),
                400);
    }

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

    private static Map<String, Object> webhook(String url) {
        return Map.of("url", url, "eventTypes", List.of("quota.threshold_reached", "key.revoked"));
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

    @Test
    void identity_provider_tokens_carry_their_role_and_are_checked_like_our_own() {
        String officer = idpToken("alice", "security-officer", null, "symbolon-admin", IDP_KEY.getPrivate(), 300);
        JsonNode me = json(expect(officer, HttpMethod.GET, "/admin/whoami", null, 200));
        assertThat(me.path("subject").asString()).isEqualTo("idp:alice");
        assertThat(me.path("role").asString()).isEqualTo("SECURITY_OFFICER");

        String tenantAdmin = idpToken("bob", "tenant-admin", tenantA, "symbolon-admin", IDP_KEY.getPrivate(), 300);
        expect(tenantAdmin, HttpMethod.GET, "/admin/tenants/" + tenantA, null, 200);
        expect(tenantAdmin, HttpMethod.GET, "/admin/tenants/" + tenantB, null, 404);

        java.security.KeyPair stranger = Jwts.SIG.RS256.keyPair().build();
        expect(
                idpToken("eve", "platform-admin", null, "symbolon-admin", stranger.getPrivate(), 300),
                HttpMethod.GET,
                "/admin/whoami",
                null,
                401);
        expect(
                idpToken("eve", "platform-admin", null, "another-api", IDP_KEY.getPrivate(), 300),
                HttpMethod.GET,
                "/admin/whoami",
                null,
                401);
        expect(
                idpToken("eve", "platform-admin", null, "symbolon-admin", IDP_KEY.getPrivate(), -60),
                HttpMethod.GET,
                "/admin/whoami",
                null,
                401);
        expect(
                idpToken("eve", "tenant-admin", null, "symbolon-admin", IDP_KEY.getPrivate(), 300),
                HttpMethod.GET,
                "/admin/whoami",
                null,
                401);
        String hmac = Jwts.builder()
                .header()
                .keyId("idp-1")
                .and()
                .issuer("https://idp.example")
                .audience()
                .add("symbolon-admin")
                .and()
                .subject("eve")
                .claim("symbolon_role", "platform-admin")
                .expiration(java.util.Date.from(java.time.Instant.now().plusSeconds(300)))
                .signWith(io.jsonwebtoken.security.Keys.hmacShaKeyFor(new byte[32]), Jwts.SIG.HS256)
                .compact();
        expect(hmac, HttpMethod.GET, "/admin/whoami", null, 401);
    }

    private static String idpToken(
            String subject,
            String role,
            String tenant,
            String audience,
            java.security.PrivateKey key,
            int expiresInSeconds) {
        io.jsonwebtoken.JwtBuilder builder = Jwts.builder()
                .header()
                .keyId("idp-1")
                .and()
                .issuer("https://idp.example")
                .audience()
                .add(audience)
                .and()
                .subject(subject)
                .claim("symbolon_role", role)
                .expiration(java.util.Date.from(java.time.Instant.now().plusSeconds(expiresInSeconds)));
        if (tenant != null) {
            builder.claim("symbolon_tenant", tenant);
        }
        return builder.signWith(key, Jwts.SIG.RS256).compact();
    }

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

    private String adminKey(String role, String tenantId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role", role);
        body.put("label", role);
        if (tenantId != null) {
            body.put("tenantId", tenantId);
        }
        return json(expect(BOOTSTRAP, HttpMethod.POST, "/admin/admin-keys", body, 201))
                .path("key")
                .asString();
    }

    private String newCredentialId(String tenantId, String appId) {
        return json(expect(BOOTSTRAP, HttpMethod.POST, credentials(tenantId, appId), Map.of(), 201))
                .path("credential")
                .path("credentialId")
                .asString();
    }

    private static String credentials(String tenantId, String appId) {
        return "/admin/tenants/" + tenantId + "/apps/" + appId + "/credentials";
    }

    private static Map<String, Integer> statuses(int platform, int security, int finance, int tenantAdmin) {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("platform-admin", platform);
        expected.put("security-officer", security);
        expected.put("finance", finance);
        expected.put("tenant-admin", tenantAdmin);
        return expected;
    }

    private static Map<String, String> tenant(String name) {
        return Map.of("name", name, "timeZone", "Europe/Berlin", "plan", "pro");
    }

    private static Map<String, String> tenantIn(String zone) {
        return Map.of("name", "Z", "timeZone", zone, "plan", "pro");
    }

    private void revokeAdminKey(JsonNode issued) {
        expect(
                BOOTSTRAP,
                HttpMethod.DELETE,
                "/admin/admin-keys/" + issued.path("adminKey").path("keyId").asString(),
                null,
                200);
    }

    private int status(String token, HttpMethod method, String path, Object body) {
        return exchange(token, method, path, body).getStatus().value();
    }

    private byte[] expect(String token, HttpMethod method, String path, Object body, int status) {
        EntityExchangeResult<byte[]> result = exchange(token, method, path, body);
        assertThat(result.getStatus().value())
                .as(method + " " + path + ": "
                        + new String(
                                result.getResponseBodyContent() == null ? new byte[0] : result.getResponseBodyContent(),
                                StandardCharsets.UTF_8))
                .isEqualTo(status);
        return result.getResponseBodyContent();
    }

    private EntityExchangeResult<byte[]> exchange(String token, HttpMethod method, String path, Object body) {
        WebTestClient.RequestBodySpec request = client.method(method).uri(path);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        WebTestClient.RequestHeadersSpec<?> ready = body == null
                ? request
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        return ready.exchange().expectBody().returnResult();
    }

    private static JsonNode json(byte[] body) {
        return JSON.readTree(body);
    }

    private TenantConfigSnapshot awaitSnapshot(String tenantId, Predicate<TenantConfigSnapshot> matching) {
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka.getBrokersAsString());
        config.put("group.id", "test-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        List<TenantConfigSnapshot> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.TENANT_CONFIG));
            return await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> {
                                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                                    if (tenantId.equals(record.key())) {
                                        seen.add(EventJson.decode(record.value(), TenantConfigSnapshot.class));
                                    }
                                });
                                return seen.stream()
                                        .filter(matching)
                                        .reduce((first, second) -> second)
                                        .orElse(null);
                            },
                            snapshot -> snapshot != null);
        }
    }
}
