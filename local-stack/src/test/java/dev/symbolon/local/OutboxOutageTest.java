package dev.symbolon.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.admin.AdminApiApplication;
import dev.symbolon.admin.auth.AdminTokens;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * admin-api's transactional outbox while the Kafka broker is down: changes keep committing, and once
 * the broker is back every one of them reaches {@code tenant-config.v1}, exactly once, in order.
 * Uses the local stack's real broker, which keeps its log on disk and restarts on the same port.
 */
class OutboxOutageTest {

    static final String TOKEN = "sym_admin_outage_test";
    static final int CHANGES_WHILE_DOWN = 5;

    @TempDir
    Path data;

    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final JsonMapper json = JsonMapper.builder().build();

    @Test
    void changes_made_while_the_broker_is_down_arrive_once_each_when_it_is_back() throws Exception {
        int kafkaPort = FreePorts.next();
        int controllerPort = FreePorts.next();
        try (LocalPostgres postgres = LocalPostgres.start(data.resolve("postgres"), 0)) {
            LocalKafka kafka = LocalKafka.start(data.resolve("kafka"), kafkaPort, controllerPort);
            try (ConfigurableApplicationContext admin = AdminApiApplication.builder()
                    .registerShutdownHook(false)
                    .run(
                            "--server.port=0",
                            "--KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers(),
                            "--DATABASE_URL=" + postgres.jdbcUrl(),
                            "--DATABASE_USERNAME=postgres",
                            "--DATABASE_PASSWORD=",
                            "--SYMBOLON_ADMIN_TOKEN=" + TOKEN,
                            "--SYMBOLON_CREDENTIAL_PEPPER=pepper",
                            "--SYMBOLON_ADMIN_JWT_KEY=" + AdminTokens.newSigningKey(),
                            // Not called in this test; required settings all the same.
                            "--KEY_VAULT_URL=http://localhost:1",
                            "--SYMBOLON_SERVICE_TOKEN=unused")) {
                String base = "http://localhost" + ":"
                        + ((WebServerApplicationContext) admin).getWebServer().getPort();
                String tenantId = json.readTree(post(
                                base + "/admin/tenants", "{\"name\":\"Outage\",\"timeZone\":\"UTC\",\"plan\":\"pro\"}"))
                        .path("tenantId")
                        .asString();
                String servers = kafka.bootstrapServers();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> revisions(servers, tenantId).contains(1L));

                kafka.close();
                for (int i = 0; i < CHANGES_WHILE_DOWN; i++) {
                    post(base + "/admin/tenants/" + tenantId + "/apps", "{\"name\":\"app-" + i + "\"}");
                }
                JdbcTemplate jdbc = admin.getBean(JdbcTemplate.class);
                assertThat(jdbc.queryForObject(
                                "select count(*) from admin.outbox where published_at is null", Integer.class))
                        .isEqualTo(CHANGES_WHILE_DOWN);

                kafka = LocalKafka.start(data.resolve("kafka"), kafkaPort, controllerPort);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> jdbc.queryForObject(
                                        "select count(*) from admin.outbox where published_at is null", Integer.class)
                                == 0);

                List<Long> revisions = revisions(servers, tenantId);
                assertThat(revisions).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            } finally {
                kafka.close();
            }
        }
    }

    private String post(String url, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return response.body();
    }

    /** Every snapshot revision of the tenant on the topic, in topic order. */
    private static List<Long> revisions(String bootstrapServers, String tenantId) {
        Properties config = new Properties();
        config.put("bootstrap.servers", bootstrapServers);
        config.put("group.id", "test-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        List<Long> revisions = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.TENANT_CONFIG));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                int before = revisions.size();
                consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                    if (tenantId.equals(record.key())) {
                        revisions.add(EventJson.decode(record.value(), TenantConfigSnapshot.class)
                                .revision());
                    }
                });
                return !revisions.isEmpty() && revisions.size() == before;
            });
        }
        return revisions;
    }
}
