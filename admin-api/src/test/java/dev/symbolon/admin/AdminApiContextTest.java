package dev.symbolon.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** admin-api against a real PostgreSQL and an embedded KRaft broker: the one context every full-context admin-api test class shares (tenants A and B with an app each, an admin credential per role, set up per class). */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=admin-api",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "DATABASE_USERNAME=postgres",
            "DATABASE_PASSWORD=",
            "SYMBOLON_ADMIN_TOKEN=" + AdminApiContextTest.BOOTSTRAP,
            "SYMBOLON_CREDENTIAL_PEPPER=" + AdminApiContextTest.PEPPER,
            "SYMBOLON_SERVICE_TOKEN=" + AdminApiContextTest.SERVICE_TOKEN,
            "SYMBOLON_METRICS_TOKEN=" + AdminApiContextTest.SCRAPE_TOKEN,
            "SYMBOLON_IDP_ISSUER=https://idp.example",
            "SYMBOLON_IDP_AUDIENCE=symbolon-admin",
        })
@EmbeddedKafka(partitions = 1)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AdminApiContextTest {
    static final String BOOTSTRAP = "sym_admin_bootstrap_for_tests";

    static final String PEPPER = "pepper-for-tests";

    static final String SERVICE_TOKEN = "service-token-for-tests";

    static final String SCRAPE_TOKEN = "scrape-token-for-tests";

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
        postgres = dev.symbolon.support.testing.TestPostgres.startForJvm(); // shared by every class of the context
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("KEY_VAULT_URL", keyVault::baseUrl);
        registry.add("SYMBOLON_IDP_JWKS_URI", () -> keyVault.baseUrl() + "/idp/jwks.json");
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

    static Map<String, Object> webhook(String url) {
        return Map.of("url", url, "eventTypes", List.of("quota.threshold_reached", "key.revoked"));
    }

    String adminKey(String role, String tenantId) {
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

    static String credentials(String tenantId, String appId) {
        return "/admin/tenants/" + tenantId + "/apps/" + appId + "/credentials";
    }

    static Map<String, String> tenant(String name) {
        return Map.of("name", name, "timeZone", "Europe/Berlin", "plan", "pro");
    }

    int status(String token, HttpMethod method, String path, Object body) {
        return exchange(token, method, path, body).getStatus().value();
    }

    byte[] expect(String token, HttpMethod method, String path, Object body, int status) {
        EntityExchangeResult<byte[]> result = exchange(token, method, path, body);
        assertThat(result.getStatus().value())
                .as(method + " " + path + ": "
                        + new String(
                                result.getResponseBodyContent() == null ? new byte[0] : result.getResponseBodyContent(),
                                StandardCharsets.UTF_8))
                .isEqualTo(status);
        return result.getResponseBodyContent();
    }

    EntityExchangeResult<byte[]> exchange(String token, HttpMethod method, String path, Object body) {
        WebTestClient.RequestBodySpec request = client.method(method).uri(path);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        WebTestClient.RequestHeadersSpec<?> ready = body == null
                ? request
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        return ready.exchange().expectBody().returnResult();
    }

    static JsonNode json(byte[] body) {
        return JSON.readTree(body);
    }

    TenantConfigSnapshot awaitSnapshot(String tenantId, Predicate<TenantConfigSnapshot> matching) {
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
