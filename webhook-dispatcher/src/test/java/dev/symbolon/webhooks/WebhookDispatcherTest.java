package dev.symbolon.webhooks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Notification;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.webhooks.signing.WebhookSignerTest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * webhook-dispatcher against a real PostgreSQL, an embedded KRaft broker, WireMock receivers (tenant
 * systems) and WireMock playing key-vault-service's webhook-secret endpoint.
 */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=webhook-dispatcher",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "DATABASE_USERNAME=postgres",
            "DATABASE_PASSWORD=",
            "SYMBOLON_SERVICE_TOKEN=" + WebhookDispatcherTest.SERVICE_TOKEN,
            "SYMBOLON_WEBHOOKS_ALLOW_LOOPBACK=true",
            "SYMBOLON_WEBHOOKS_REQUIRE_HTTPS=false",
            "SYMBOLON_WEBHOOKS_TIMEOUT=1s",
            "SYMBOLON_WEBHOOKS_RETRY_SCHEDULE=300ms,600ms,900ms",
            "SYMBOLON_ADMIN_TOKEN=" + WebhookDispatcherTest.ADMIN_TOKEN,
            "SYMBOLON_METRICS_TOKEN=" + WebhookDispatcherTest.SCRAPE_TOKEN,
        })
@EmbeddedKafka(partitions = 1)
class WebhookDispatcherTest {

    static final String SERVICE_TOKEN = "svc-token-for-tests";
    static final String ADMIN_TOKEN = "admin-token-for-tests";
    static final String SCRAPE_TOKEN = "scrape-token-for-tests";
    /** admin-api's signing key and JWK set, as this test plays admin-api. */
    static final dev.symbolon.support.testing.AdminJwks ADMIN = new dev.symbolon.support.testing.AdminJwks("kid-1");

    static final String SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("a-webhook-secret-of-32-bytes!!!!".getBytes());
    static final String OLD_SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("the-previous-secret-of-32-bytes!".getBytes());

    static final EmbeddedPostgres postgres;
    static final WireMockServer receiver = new WireMockServer(options().dynamicPort());
    static final WireMockServer keyVault = new WireMockServer(options().dynamicPort());

    static {
        postgres = dev.symbolon.support.testing.TestPostgres.start();
        receiver.start();
        keyVault.start();
        // keyVault's WireMock also plays admin-api's JWK set.
        keyVault.stubFor(get(urlEqualTo("/admin/.well-known/jwks.json")).willReturn(okJson(ADMIN.jwksJson())));
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("KEY_VAULT_URL", keyVault::baseUrl);
        registry.add("ADMIN_API_URL", keyVault::baseUrl);
    }

    @AfterAll
    static void stopAll() throws IOException {
        postgres.close();
        receiver.stop();
        keyVault.stop();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    KafkaTemplate<String, byte[]> kafka;

    @BeforeEach
    void ready() {
        // ready once the revoked admin keys have been read; until then no admin JWT is taken
        dev.symbolon.support.testing.Readiness.await(port);
    }

    @BeforeEach
    void stubSecrets() {
        secrets("we_ok", SECRET, OLD_SECRET);
        for (String endpoint : List.of(
                "we_flaky",
                "we_gone",
                "we_slow",
                "we_fast",
                "we_dead",
                "we_later",
                "we_replay",
                "we_metered",
                "we_metered_gone")) {
            secrets(endpoint, SECRET);
        }
    }

    @Test
    void it_is_ready_and_owns_its_schema() {
        WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .build()
                .get()
                .uri("/actuator/health/readiness")
                .exchange()
                .expectStatus()
                .isOk();
        assertThat(jdbc.queryForObject(
                        "select count(*) from information_schema.tables where table_schema = 'webhooks'"
                                + " and table_name = 'delivery'",
                        Integer.class))
                .isEqualTo(1);
    }

    @Test
    void a_notification_reaches_subscribed_endpoints_signed_so_a_spec_verifier_accepts_it_with_either_secret() {
        receiver.stubFor(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(204)));
        receiver.stubFor(post(urlEqualTo("/other")).willReturn(aResponse().withStatus(204)));
        tenant(endpoint("we_ok", "/ok", "quota.threshold_reached"), endpoint("we_other", "/other", "key.revoked"));
        Notification sent =
                notification("quota.threshold_reached", Map.of("quota", "cost-per-day", "thresholdPercent", 80));

        long published = System.nanoTime();
        publish(sent);
        await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.findAll(postRequestedFor(urlEqualTo("/ok")))
                .isEmpty());
        System.out.printf("notification to first attempt: %d ms%n", (System.nanoTime() - published) / 1_000_000);

        LoggedRequest request =
                receiver.findAll(postRequestedFor(urlEqualTo("/ok"))).get(0);
        String body = request.getBodyAsString();
        assertThat(request.getHeader("webhook-id")).isEqualTo(sent.eventId().toString());
        assertThat(body)
                .contains("\"type\":\"quota.threshold_reached\"")
                .contains("\"data\":{")
                .contains("cost-per-day");
        String signature = request.getHeader("webhook-signature");
        long now = Instant.now().getEpochSecond();
        for (String secret : List.of(SECRET, OLD_SECRET)) {
            assertThat(WebhookSignerTest.Verifier.verify(
                            secret,
                            request.getHeader("webhook-id"),
                            request.getHeader("webhook-timestamp"),
                            body,
                            signature,
                            now))
                    .as("verifies with %s", secret == SECRET ? "the new secret" : "the old secret")
                    .isTrue();
        }
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/other"))))
                .as("not subscribed")
                .isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCEEDED".equals(status(sent, "we_ok")));
    }

    @Test
    void a_notification_that_can_never_be_stored_is_dead_lettered_and_the_next_one_is_delivered() {
        receiver.stubFor(
                post(urlEqualTo("/after-poison")).willReturn(aResponse().withStatus(204)));
        secrets("we_after_poison", SECRET);
        tenant(endpoint("we_after_poison", "/after-poison", "credential.created"));
        // PostgreSQL refuses this one notification's delivery row (a data error, SQLSTATE 22P05)
        Notification refused = notification("credential.created", Map.of("note", "refused"));
        jdbc.execute(
                """
                create or replace function webhooks.refuse_poison() returns trigger language plpgsql as $$
                begin
                    if new.webhook_id = '%s' then
                        raise exception 'unsupported Unicode escape sequence' using errcode = '22P05';
                    end if;
                    return new;
                end $$"""
                        .formatted(refused.eventId()));
        jdbc.execute("create trigger refuse_poison before insert on webhooks.delivery"
                + " for each row execute function webhooks.refuse_poison()");
        try {
            byte[] malformed = "{\"not\":\"a notification\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            kafka.send(Topics.NOTIFICATION, "t_hooks", malformed);
            publish(refused);
            Notification next = notification("credential.created", Map.of("note", "after the poison"));
            publish(next);

            await().atMost(Duration.ofSeconds(20))
                    .failFast(
                            "the delivery after the poison died", () -> "DEAD".equals(status(next, "we_after_poison")))
                    .until(() -> "SUCCEEDED".equals(status(next, "we_after_poison")));
            List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> dead =
                    deadLetters(Topics.deadLetter(Topics.NOTIFICATION), 2);
            assertThat(dead).extracting(r -> r.value()).contains(malformed);
            assertThat(dead)
                    .extracting(r -> new String(
                            r.headers()
                                    .lastHeader(dev.symbolon.support.kafka.DeadLetters.REASON)
                                    .value(),
                            java.nio.charset.StandardCharsets.UTF_8))
                    .contains("MalformedEventException", "PSQLException (SQLSTATE 22P05)");
            assertThat(status(refused, "we_after_poison")).isNull();
        } finally {
            jdbc.execute("drop trigger if exists refuse_poison on webhooks.delivery");
        }
    }

    @Test
    void while_the_database_fails_notifications_wait_unconsumed_and_none_is_dead_lettered() {
        receiver.stubFor(
                post(urlEqualTo("/during-outage")).willReturn(aResponse().withStatus(204)));
        secrets("we_outage", SECRET);
        tenant(endpoint("we_outage", "/during-outage", "quota.period_started"));
        long deadBefore = deadLetterCount(Topics.deadLetter(Topics.NOTIFICATION));
        // every delivery insert fails as with the connection gone (SQLSTATE 08006: not the record's fault)
        jdbc.execute("create sequence if not exists webhooks.outage_attempts");
        long attemptsBefore = jdbc.queryForObject("select nextval('webhooks.outage_attempts')", Long.class);
        jdbc.execute(
                """
                create or replace function webhooks.connection_gone() returns trigger language plpgsql as $$
                begin
                    perform nextval('webhooks.outage_attempts');
                    raise exception 'connection failure' using errcode = '08006';
                end $$""");
        jdbc.execute("create trigger connection_gone before insert on webhooks.delivery"
                + " for each row execute function webhooks.connection_gone()");
        Notification sent = notification("quota.period_started", Map.of("period", "day"));
        try {
            publish(sent);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> jdbc.queryForObject("select last_value from webhooks.outage_attempts", Long.class)
                            >= attemptsBefore + 3);
            assertThat(status(sent, "we_outage")).isNull();
        } finally {
            jdbc.execute("drop trigger if exists connection_gone on webhooks.delivery");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(status(sent, "we_outage")));
        assertThat(deadLetterCount(Topics.deadLetter(Topics.NOTIFICATION))).isEqualTo(deadBefore);
        assertThat(jdbc.queryForObject(
                        "select count(*) from webhooks.delivery where webhook_id = ?",
                        Long.class,
                        sent.eventId().toString()))
                .as("delivered once, not once per retry")
                .isEqualTo(1);
    }

    private long deadLetterCount(String topic) {
        java.util.Properties config = new java.util.Properties();
        config.put("bootstrap.servers", broker.getBrokersAsString());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                config,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
                    .toList();
            return consumer.endOffsets(partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    /** key-vault-service serving an endpoint's secrets, newest first. */
    private static void secrets(String endpointId, String... newestFirst) {
        StringBuilder versions = new StringBuilder();
        for (int i = 0; i < newestFirst.length; i++) {
            versions.append(i == 0 ? "" : ",")
                    .append("{\"version\":")
                    .append(newestFirst.length - i)
                    .append(",\"secret\":\"")
                    .append(newestFirst[i])
                    .append("\"}");
        }
        keyVault.stubFor(get(urlPathEqualTo("/internal/v1/webhook-secrets/t_hooks/" + endpointId))
                .willReturn(okJson("{\"secrets\":[" + versions + "]}")));
    }

    /** The records of a dead-letter topic, once at least {@code atLeast} are there. */
    private List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> deadLetters(
            String topic, int atLeast) {
        java.util.Properties config = new java.util.Properties();
        config.put("bootstrap.servers", broker.getBrokersAsString());
        config.put("group.id", "dlt-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> found = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                config,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(found::add);
                return found.size() >= atLeast;
            });
        }
        return found;
    }

    @Autowired
    org.springframework.kafka.test.EmbeddedKafkaBroker broker;

    @Test
    void from_the_moment_a_rotation_answers_every_delivery_carries_both_signatures() {
        String newSecret = "whsec_" + Base64.getEncoder().encodeToString("the-rotated-secret-of-32-bytes!!".getBytes());
        receiver.stubFor(post(urlEqualTo("/rotating")).willReturn(aResponse().withStatus(204)));
        secrets("we_rotating", OLD_SECRET);
        tenant(endpoint("we_rotating", "/rotating", "key.expiring"));
        Notification before = notification("key.expiring", Map.of("n", 1));
        publish(before);
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(status(before, "we_rotating")));

        // admin-api stores the new version in key-vault, then the rotation answers
        secrets("we_rotating", newSecret, OLD_SECRET);
        Notification after = notification("key.expiring", Map.of("n", 2));
        publish(after);
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(status(after, "we_rotating")));

        LoggedRequest delivered = receiver.findAll(postRequestedFor(urlEqualTo("/rotating"))).stream()
                .filter(r -> r.getHeader("webhook-id").equals(after.eventId().toString()))
                .findFirst()
                .orElseThrow();
        long now = Instant.now().getEpochSecond();
        for (String secret : List.of(newSecret, OLD_SECRET)) {
            assertThat(WebhookSignerTest.Verifier.verify(
                            secret,
                            delivered.getHeader("webhook-id"),
                            delivered.getHeader("webhook-timestamp"),
                            delivered.getBodyAsString(),
                            delivered.getHeader("webhook-signature"),
                            now))
                    .isTrue();
        }
    }

    @Test
    void a_receivers_retry_after_is_honoured() {
        String scenario = "busy";
        receiver.stubFor(post(urlEqualTo("/busy"))
                .inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2"))
                .willSetStateTo("ok"));
        receiver.stubFor(post(urlEqualTo("/busy"))
                .inScenario(scenario)
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(204)));
        secrets("we_busy", SECRET);
        tenant(endpoint("we_busy", "/busy", "webhook.test"));
        Notification sent = notification("webhook.test", Map.of());

        publish(sent);
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(status(sent, "we_busy")));

        List<java.sql.Timestamp> started = jdbc.queryForList(
                "select a.started_at from webhooks.attempt a join webhooks.delivery d using (delivery_id)"
                        + " where d.webhook_id = ? order by a.attempt",
                java.sql.Timestamp.class,
                sent.eventId().toString());
        assertThat(started).hasSize(2);
        long waitedMs = started.get(1).getTime() - started.get(0).getTime();
        // the schedule alone says ~300 ms; the receiver asked for 2 s
        assertThat(waitedMs).isGreaterThanOrEqualTo(2_000);
    }

    @Test
    void a_receiver_that_fails_and_times_out_gets_retries_with_the_same_id_until_one_success() {
        String scenario = "flaky";
        receiver.stubFor(post(urlEqualTo("/flaky"))
                .inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500))
                .willSetStateTo("timeout"));
        receiver.stubFor(post(urlEqualTo("/flaky"))
                .inScenario(scenario)
                .whenScenarioStateIs("timeout")
                .willReturn(aResponse().withStatus(200).withFixedDelay(2_000))
                .willSetStateTo("redirect"));
        receiver.stubFor(post(urlEqualTo("/flaky"))
                .inScenario(scenario)
                .whenScenarioStateIs("redirect")
                .willReturn(aResponse().withStatus(302).withHeader("Location", "http://169.254.169.254/"))
                .willSetStateTo("ok"));
        receiver.stubFor(post(urlEqualTo("/flaky"))
                .inScenario(scenario)
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200))
                .willSetStateTo("ok"));
        tenant(endpoint("we_flaky", "/flaky", "key.rotated"));
        Notification sent = notification("key.rotated", Map.of("keyId", "key_1"));

        publish(sent);
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(status(sent, "we_flaky")));

        List<LoggedRequest> requests = receiver.findAll(postRequestedFor(urlEqualTo("/flaky")));
        assertThat(requests).hasSize(4);
        assertThat(requests)
                .extracting(r -> r.getHeader("webhook-id"))
                .containsOnly(sent.eventId().toString());
        assertThat(requests)
                .as("every attempt is freshly timestamped and signed, and the spec verifier accepts each")
                .allMatch(r -> WebhookSignerTest.Verifier.verify(
                        SECRET,
                        r.getHeader("webhook-id"),
                        r.getHeader("webhook-timestamp"),
                        r.getBodyAsString(),
                        r.getHeader("webhook-signature"),
                        Instant.now().getEpochSecond()));
        List<Map<String, Object>> attempts = jdbc.queryForList(
                "select a.attempt, a.status_code, a.error, a.started_at from webhooks.attempt a"
                        + " join webhooks.delivery d on d.delivery_id = a.delivery_id"
                        + " where d.webhook_id = ? order by a.attempt",
                sent.eventId().toString());
        assertThat(attempts).extracting(a -> a.get("status_code")).containsExactly(500, null, 302, 200);
        assertThat(attempts.get(1).get("error").toString()).contains("timed out");
        // The waits grow with the schedule (300, 600, 900 ms, each ±20 %), on top of the attempt itself.
        for (int i = 1; i < attempts.size(); i++) {
            Instant previous = ((java.sql.Timestamp) attempts.get(i - 1).get("started_at")).toInstant();
            Instant next = ((java.sql.Timestamp) attempts.get(i).get("started_at")).toInstant();
            assertThat(Duration.between(previous, next)).isGreaterThanOrEqualTo(Duration.ofMillis(240L * i));
        }
        await().during(Duration.ofMillis(1_500))
                .atMost(Duration.ofSeconds(3))
                .until(() ->
                        receiver.findAll(postRequestedFor(urlEqualTo("/flaky"))).size() == 4);
    }

    @Test
    void a_410_disables_the_endpoint_and_an_exhausted_schedule_dead_letters() {
        receiver.stubFor(post(urlEqualTo("/gone")).willReturn(aResponse().withStatus(410)));
        receiver.stubFor(post(urlEqualTo("/dead")).willReturn(aResponse().withStatus(503)));
        tenant(endpoint("we_gone", "/gone", "key.revoked"), endpoint("we_dead", "/dead", "key.revoked"));
        Notification first = notification("key.revoked", Map.of("keyId", "key_1"));

        publish(first);
        await().atMost(Duration.ofSeconds(20)).until(() -> "CANCELLED".equals(status(first, "we_gone")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "DEAD".equals(status(first, "we_dead")));

        assertThat(jdbc.queryForObject(
                        "select disabled_reason from webhooks.endpoint_state where endpoint_id = 'we_gone'",
                        String.class))
                .contains("410");
        assertThat(jdbc.queryForObject(
                        "select failing from webhooks.endpoint_state where endpoint_id = 'we_dead'", Boolean.class))
                .isTrue();
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/dead")))).hasSize(4); // 1 + 3 retries

        Notification second = notification("key.revoked", Map.of("keyId", "key_2"));
        publish(second);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(second, "we_dead") != null);
        assertThat(status(second, "we_gone"))
                .as("a disabled endpoint gets nothing more")
                .isNull();
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/gone")))).hasSize(1);
    }

    @Test
    void a_scrape_counts_attempts_by_outcome_their_durations_and_the_endpoints_states() {
        receiver.stubFor(post(urlEqualTo("/metered")).willReturn(aResponse().withStatus(204)));
        receiver.stubFor(
                post(urlEqualTo("/metered-gone")).willReturn(aResponse().withStatus(410)));
        tenant(
                endpoint("we_metered", "/metered", "key.revoked"),
                endpoint("we_metered_gone", "/metered-gone", "key.revoked"));
        dev.symbolon.support.testing.Scrape before = scrape();
        Notification notification = notification("key.revoked", Map.of("keyId", "key_metered"));

        publish(notification);
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(status(notification, "we_metered")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "CANCELLED".equals(status(notification, "we_metered_gone")));

        dev.symbolon.support.testing.Scrape after = scrape();
        assertThat(after.since(before, "symbolon_webhooks_attempts_total", "outcome", "delivered"))
                .isEqualTo(1);
        assertThat(after.since(before, "symbolon_webhooks_attempts_total", "outcome", "disabled"))
                .isEqualTo(1);
        assertThat(after.since(before, "symbolon_webhooks_attempt_duration_seconds_count", "result", "2xx"))
                .isEqualTo(1);
        assertThat(after.since(before, "symbolon_webhooks_attempt_duration_seconds_count", "result", "4xx"))
                .isEqualTo(1);
        // the states are counted from the database every few seconds
        long disabled = jdbc.queryForObject(
                "select count(*) from webhooks.endpoint_state where disabled_reason is not null", Long.class);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> scrape().value("symbolon_webhooks_endpoints", "state", "disabled") == disabled);
        assertThat(scrape().has("symbolon_webhooks_retrying")).isTrue();
        // no tenant, endpoint or URL in a label
        assertThat(after.text())
                .doesNotContain("we_metered")
                .doesNotContain("/metered")
                .doesNotContain("t_hooks");
    }

    private dev.symbolon.support.testing.Scrape scrape() {
        return dev.symbolon.support.testing.Scrape.of(port, SCRAPE_TOKEN);
    }

    @Test
    void a_slow_endpoint_does_not_delay_the_others() {
        receiver.stubFor(
                post(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(900)));
        receiver.stubFor(post(urlEqualTo("/fast")).willReturn(aResponse().withStatus(200)));
        tenant(endpoint("we_slow", "/slow", "quota.exhausted"), endpoint("we_fast", "/fast", "quota.exhausted"));
        List<Notification> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            burst.add(notification("quota.exhausted", Map.of("n", i)));
        }

        long start = System.nanoTime();
        burst.forEach(this::publish);
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        receiver.findAll(postRequestedFor(urlEqualTo("/fast"))).size() == 12);
        long fastMs = (System.nanoTime() - start) / 1_000_000;

        // 12 attempts at 900 ms each, 4 at a time, take about 2.7 s for the slow one; the fast one is done long before.
        assertThat(fastMs).as("fast endpoint's 12 deliveries (ms)").isLessThan(2_500);
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/slow"))).size())
                .isLessThan(12);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        receiver.findAll(postRequestedFor(urlEqualTo("/slow"))).size() == 12);
    }

    @Test
    void a_delivery_due_later_is_picked_up_from_the_database_as_after_a_restart() {
        receiver.stubFor(post(urlEqualTo("/later")).willReturn(aResponse().withStatus(200)));
        // As a previous process left it: an attempt made, the next one due in a moment.
        String webhookId = UUID.randomUUID().toString();
        jdbc.update(
                "insert into webhooks.delivery (webhook_id, tenant_id, endpoint_id, url, event_type, payload, status,"
                        + " attempts, next_attempt_at) values (?, 't_hooks', 'we_later', ?, 'key.expiring', ?, 'PENDING',"
                        + " 1, now() + interval '500 milliseconds')",
                webhookId,
                receiver.baseUrl() + "/later",
                "{\"type\":\"key.expiring\",\"timestamp\":\"2026-11-23T10:00:00Z\",\"data\":{}}"
                        .getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCEEDED"
                .equals(jdbc.queryForObject(
                        "select status from webhooks.delivery where webhook_id = ?", String.class, webhookId)));
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/later"))))
                .singleElement()
                .satisfies(r -> assertThat(r.getHeader("webhook-id")).isEqualTo(webhookId));
    }

    @Test
    void admins_see_deliveries_and_attempts_replay_dead_letters_ping_and_read_health_of_their_own_tenant() {
        receiver.stubFor(post(urlEqualTo("/replay")).willReturn(aResponse().withStatus(503)));
        tenant(endpoint("we_replay", "/replay", "credential.created"));
        Notification sent = notification("credential.created", Map.of("credentialId", "cred_1"));
        publish(sent);
        await().atMost(Duration.ofSeconds(20)).until(() -> "DEAD".equals(status(sent, "we_replay")));

        WebTestClient api =
                WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
        String base = "/webhooks/tenants/t_hooks";
        String mine = adminJwt("tenant-admin", "t_hooks");
        tools.jackson.databind.JsonNode page = json(api, mine, base + "/deliveries?endpointId=we_replay&status=DEAD");
        assertThat(page.path("items")).hasSize(1);
        long deliveryId = page.path("items").get(0).path("deliveryId").asLong();
        assertThat(page.path("items").get(0).path("attempts").asInt()).isEqualTo(4);
        assertThat(json(api, mine, base + "/deliveries/" + deliveryId + "/attempts"))
                .hasSize(4);

        receiver.stubFor(post(urlEqualTo("/replay")).willReturn(aResponse().withStatus(200)));
        api.post()
                .uri(base + "/endpoints/we_replay/replay-dead")
                .header("Authorization", "Bearer " + mine)
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody()
                .jsonPath("$.replayed")
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCEEDED".equals(status(sent, "we_replay")));
        List<LoggedRequest> requests = receiver.findAll(postRequestedFor(urlEqualTo("/replay")));
        assertThat(requests)
                .hasSize(5)
                .extracting(r -> r.getHeader("webhook-id"))
                .containsOnly(sent.eventId().toString());

        api.post()
                .uri(base + "/endpoints/we_replay/test")
                .header("Authorization", "Bearer " + mine)
                .exchange()
                .expectStatus()
                .isAccepted();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.findAll(postRequestedFor(urlEqualTo("/replay"))).stream()
                        .anyMatch(r -> r.getBodyAsString().contains("webhook.test")));

        tools.jackson.databind.JsonNode health = json(api, mine, base + "/endpoints/we_replay/health");
        assertThat(health.path("failing").asBoolean())
                .as("a success after the dead letter clears it")
                .isFalse();
        assertThat(health.path("succeeded24h").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(health.path("attempts24h").asLong()).isGreaterThanOrEqualTo(5);

        // Another tenant's admin sees nothing; finance may not; no token is 401.
        assertThat(api.get()
                        .uri(base + "/deliveries")
                        .header("Authorization", "Bearer " + adminJwt("tenant-admin", "t_other"))
                        .exchange()
                        .expectBody(String.class)
                        .returnResult()
                        .getStatus()
                        .value())
                .isEqualTo(404);
        assertThat(api.get()
                        .uri(base + "/deliveries")
                        .header("Authorization", "Bearer " + adminJwt("finance", null))
                        .exchange()
                        .expectBody(String.class)
                        .returnResult()
                        .getStatus()
                        .value())
                .isEqualTo(403);
        api.get().uri(base + "/deliveries").exchange().expectStatus().isUnauthorized();
        api.get()
                .uri("/webhooks/tenants/t_other/deliveries/" + deliveryId + "/attempts")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isNotFound();
    }

    private static tools.jackson.databind.JsonNode json(WebTestClient api, String token, String path) {
        String body = api.get()
                .uri(path)
                .header("Authorization", "Bearer " + token)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(body);
    }

    private static String adminJwt(String role, String tenant) {
        return ADMIN.jwt(role, tenant);
    }

    private String status(Notification notification, String endpointId) {
        List<String> rows = jdbc.queryForList(
                "select status from webhooks.delivery where webhook_id = ? and endpoint_id = ?",
                String.class,
                notification.eventId().toString(),
                endpointId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private void publish(Notification notification) {
        kafka.send(Topics.NOTIFICATION, notification.tenantId(), EventJson.encode(notification));
    }

    private static Notification notification(String type, Map<String, Object> data) {
        return new Notification(UUID.randomUUID(), Instant.now(), "t_hooks", Notification.CURRENT_VERSION, type, data);
    }

    private static TenantConfigSnapshot.WebhookEndpoint endpoint(String id, String path, String type) {
        return new TenantConfigSnapshot.WebhookEndpoint(id, receiver.baseUrl() + path, List.of(type), true);
    }

    private static long revision = 1;

    /** The tenant's snapshot with these endpoints (a newer revision each time), awaited until applied. */
    private void tenant(TenantConfigSnapshot.WebhookEndpoint... endpoints) {
        TenantConfigSnapshot snapshot = new TenantConfigSnapshot(
                UUID.randomUUID(),
                Instant.now(),
                "t_hooks",
                1,
                revision++,
                TenantConfigSnapshot.Status.ACTIVE,
                "UTC",
                null,
                new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                List.of(),
                List.of(endpoints),
                List.of());
        kafka.send(Topics.TENANT_CONFIG, "t_hooks", EventJson.encode(snapshot));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory
                        .subscribed("t_hooks", endpoints[0].eventTypes().get(0))
                        .stream()
                        .anyMatch(e -> e.endpointId().equals(endpoints[0].endpointId())));
    }

    @Autowired
    dev.symbolon.webhooks.subscriptions.Endpoints directory;
}
