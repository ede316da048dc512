package dev.symbolon.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.GoldenFiles;
import dev.symbolon.contracts.QuotaState;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** usage-analytics-service against a real PostgreSQL and an embedded KRaft broker. */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=usage-analytics-service",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "DATABASE_USERNAME=postgres",
            "DATABASE_PASSWORD=",
            "SYMBOLON_ADMIN_TOKEN=" + UsageAnalyticsServiceTest.ADMIN_TOKEN,
            "SYMBOLON_SERVICE_TOKEN=" + UsageAnalyticsServiceTest.SERVICE_TOKEN,
        })
@EmbeddedKafka(partitions = 1)
class UsageAnalyticsServiceTest {

    static final String ADMIN_TOKEN = "admin-token-for-tests";
    static final String SERVICE_TOKEN = "service-token-for-tests";

    static final EmbeddedPostgres postgres;

    static {
        postgres = dev.symbolon.support.testing.TestPostgres.start();
    }

    /** admin-api's JWK set, served as admin-api serves it, for the admin JWTs these tests sign. */
    static final com.github.tomakehurst.wiremock.WireMockServer adminApi =
            new com.github.tomakehurst.wiremock.WireMockServer(
                    com.github.tomakehurst.wiremock.core.WireMockConfiguration.options()
                            .dynamicPort());

    /** admin-api's signing key and JWK set, as this test plays admin-api. */
    static final dev.symbolon.support.testing.AdminJwks ADMIN =
            new dev.symbolon.support.testing.AdminJwks("test-kid-1");

    static final String KID = ADMIN.kid();

    static {
        adminApi.start();
        adminApi.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/admin/.well-known/jwks.json")
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(ADMIN.jwksJson())));
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
        registry.add("ADMIN_API_URL", adminApi::baseUrl);
    }

    /** An admin JWT as admin-api issues it. */
    static String adminJwt(
            java.security.PrivateKey key, String kid, String role, String tenant, String audience, Instant expires) {
        return adminJwt(key, kid, role, tenant, audience, expires, null);
    }

    /** @param adminKeyId the admin key the token was bought with ({@code akid}), or null */
    static String adminJwt(
            java.security.PrivateKey key,
            String kid,
            String role,
            String tenant,
            String audience,
            Instant expires,
            String adminKeyId) {
        return dev.symbolon.support.testing.AdminJwks.jwt(key, kid, role, tenant, audience, expires, adminKeyId);
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    KafkaTemplate<String, byte[]> kafka;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    JdbcTemplate jdbc;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        client =
                WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
        // ready once the revoked admin keys have been read; until then no admin JWT is taken
        dev.symbolon.support.testing.Readiness.await(port);
    }

    @Test
    void the_golden_event_is_stored_once_however_often_it_is_delivered() {
        UsageRecorded golden = GoldenFiles.decode(Topics.USAGE_RECORDED, UsageRecorded.class);
        String tenant = "t_golden_" + UUID.randomUUID();
        UsageRecorded event = copy(golden, UUID.randomUUID(), tenant);

        for (int i = 0; i < 3; i++) {
            send(event);
        }
        UsageRecorded marker = copy(golden, UUID.randomUUID(), tenant);
        send(marker);

        await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.eventId()) == 1);
        assertThat(rows(event.eventId())).isEqualTo(1);
        client.get()
                .uri("/analytics/usage?tenantId={t}&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", tenant)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.totals.requests")
                .isEqualTo(2)
                .jsonPath("$.totals.inputTokens")
                .isEqualTo(2 * golden.inputTokens())
                .jsonPath("$.totals.outputTokens")
                .isEqualTo(2 * golden.outputTokens())
                .jsonPath("$.totals.cachedInputTokens")
                .isEqualTo(2 * golden.cachedInputTokens())
                .jsonPath("$.recent[0].model")
                .isEqualTo(golden.model());
    }

    @Test
    void a_poison_message_goes_to_the_dead_letter_topic_and_ingest_keeps_going() {
        byte[] poison = "{\"this is\":\"not a usage event\"}".getBytes(StandardCharsets.UTF_8);
        kafka.send(Topics.USAGE_RECORDED, "t_poison", poison);
        UsageRecorded after =
                copy(GoldenFiles.decode(Topics.USAGE_RECORDED, UsageRecorded.class), UUID.randomUUID(), "t_poison");
        send(after);

        await().atMost(Duration.ofSeconds(20)).until(() -> rows(after.eventId()) == 1);
        ConsumerRecord<String, byte[]> dead = recordsOf(Topics.deadLetter(Topics.USAGE_RECORDED)).stream()
                .filter(r -> java.util.Arrays.equals(r.value(), poison))
                .findFirst()
                .orElseThrow();
        assertThat(dead.key()).isEqualTo("t_poison");
        assertThat(dead.headers().lastHeader("kafka_dlt-exception-cause-fqcn").value())
                .asString(StandardCharsets.UTF_8)
                .contains("MalformedEventException");
    }

    @Test
    void a_record_the_database_refuses_is_dead_lettered_and_the_rest_of_its_batch_is_stored() {
        String tenant = "t_refused_" + UUID.randomUUID().toString().substring(0, 8);
        org.springframework.kafka.listener.MessageListenerContainer usage = listeners.getListenerContainer("usage");
        // PostgreSQL refuses this one model as it refuses a NUL byte (SQLSTATE 22P05, a data error)
        jdbc.execute(
                """
                create or replace function analytics.refuse_poison() returns trigger language plpgsql as $$
                begin
                    if new.model = 'poison-model' then
                        raise exception 'unsupported Unicode escape sequence' using errcode = '22P05';
                    end if;
                    return new;
                end $$""");
        jdbc.execute("create trigger refuse_poison before insert on analytics.usage_fact"
                + " for each row execute function analytics.refuse_poison()");
        try {
            UsageRecorded golden = GoldenFiles.decode(Topics.USAGE_RECORDED, UsageRecorded.class);
            List<UsageRecorded> events = new ArrayList<>();
            usage.stop(); // so the 40 arrive as one batch
            for (int i = 0; i < 40; i++) {
                events.add(copy(golden, UUID.randomUUID(), tenant, i == 17 ? "poison-model" : golden.model()));
                send(events.get(i));
            }
            kafka.flush();
            usage.start();

            await().atMost(Duration.ofSeconds(30)).until(() -> factsOf(tenant) == 39);
            ConsumerRecord<String, byte[]> dead = recordsOf(Topics.deadLetter(Topics.USAGE_RECORDED)).stream()
                    .filter(r -> tenant.equals(r.key()))
                    .findFirst()
                    .orElseThrow();
            assertThat(EventJson.decode(dead.value(), UsageRecorded.class).eventId())
                    .isEqualTo(events.get(17).eventId());
            assertThat(dead.headers()
                            .lastHeader(dev.symbolon.support.kafka.DeadLetters.REASON)
                            .value())
                    .asString(StandardCharsets.UTF_8)
                    .isEqualTo("PSQLException (SQLSTATE 22P05)");
            assertThat(rows(events.get(17).eventId())).isZero();
            assertThat(jdbc.queryForObject(
                            "select sum(requests) from analytics.usage_rollup where tenant_id = ? and granularity = 'month'",
                            Long.class,
                            tenant))
                    .isEqualTo(39);

            // ingest goes on: the partition is not held
            UsageRecorded after = copy(golden, UUID.randomUUID(), tenant);
            send(after);
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(after.eventId()) == 1);
        } finally {
            jdbc.execute("drop trigger if exists refuse_poison on analytics.usage_fact");
            if (!usage.isRunning()) {
                usage.start();
            }
        }
    }

    @Autowired
    dev.symbolon.support.kafka.ConsumerLagWatch lagWatch;

    @Test
    void the_usage_listeners_lag_is_read_and_back_to_zero_once_ingest_has_caught_up() {
        String tenant = "t_lag_" + UUID.randomUUID().toString().substring(0, 8);
        UsageRecorded golden = GoldenFiles.decode(Topics.USAGE_RECORDED, UsageRecorded.class);
        List<UsageRecorded> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add(copy(golden, UUID.randomUUID(), tenant));
            send(events.get(i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> factsOf(tenant) == 50);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Long.valueOf(0).equals(lagWatch.lags().get("usage")));
    }

    @Test
    void control_characters_and_broken_unicode_in_an_event_are_stored_as_replacement_characters() {
        String tenant = "t_nul_" + UUID.randomUUID().toString().substring(0, 8);
        UsageRecorded event =
                copy(GoldenFiles.decode(Topics.USAGE_RECORDED, UsageRecorded.class), UUID.randomUUID(), tenant);
        String json = new String(EventJson.encode(event), StandardCharsets.UTF_8)
                .replace("\"model\":\"" + event.model() + "\"", "\"model\":\"gpt\\u0000-4o\\ud800\"");
        assertThat(json).contains("\\u0000");
        kafka.send(Topics.USAGE_RECORDED, tenant, json.getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(20)).until(() -> rows(event.eventId()) == 1);
        assertThat(jdbc.queryForObject(
                        "select model from analytics.usage_fact where event_id = ?", String.class, event.eventId()))
                .isEqualTo("gpt\uFFFD-4o\uFFFD");
    }

    @Test
    void a_database_failure_that_is_not_the_records_fault_dead_letters_nothing_and_loses_nothing() {
        String tenant = "t_outage_" + UUID.randomUUID().toString().substring(0, 8);
        org.springframework.kafka.listener.MessageListenerContainer usage = listeners.getListenerContainer("usage");
        UsageRecorded event =
                copy(GoldenFiles.decode(Topics.USAGE_RECORDED, UsageRecorded.class), UUID.randomUUID(), tenant);
        // every write fails as it would with the table gone (SQLSTATE 42P01: not the record's fault)
        jdbc.execute("create sequence if not exists analytics.outage_attempts");
        long attemptsBefore = jdbc.queryForObject("select nextval('analytics.outage_attempts')", Long.class);
        jdbc.execute(
                """
                create or replace function analytics.table_gone() returns trigger language plpgsql as $$
                begin
                    perform nextval('analytics.outage_attempts'); -- not rolled back with the batch
                    raise exception 'relation does not exist' using errcode = '42P01';
                end $$""");
        jdbc.execute("create trigger table_gone before insert on analytics.usage_fact"
                + " for each row execute function analytics.table_gone()");
        int deadBefore = recordsOf(Topics.deadLetter(Topics.USAGE_RECORDED)).size();
        try {
            send(event);
            // the batch is retried, not dead-lettered: wait until it has been tried a few times
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> jdbc.queryForObject("select last_value from analytics.outage_attempts", Long.class)
                            >= attemptsBefore + 3);
        } finally {
            jdbc.execute("drop trigger if exists table_gone on analytics.usage_fact");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(event.eventId()) == 1);
        assertThat(recordsOf(Topics.deadLetter(Topics.USAGE_RECORDED))).hasSize(deadBefore);
        assertThat(usage.isRunning()).isTrue();
    }

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

    /** Prices as the seed migration lists them, written out here so the test computes cost on its own. */
    private static final java.util.Map<String, BigDecimal[]> LIST_PRICES = java.util.Map.of(
            "gpt-4o-mini-2024-07-18",
                    new BigDecimal[] {new BigDecimal("0.15"), new BigDecimal("0.075"), new BigDecimal("0.60")},
            "claude-sonnet-4-20250514",
                    new BigDecimal[] {new BigDecimal("3.00"), new BigDecimal("0.30"), new BigDecimal("15.00")},
            "gemini-2.5-pro",
                    new BigDecimal[] {new BigDecimal("1.25"), new BigDecimal("0.125"), new BigDecimal("10.00")});

    private static final String[][] MODELS = {
        {"openai", "gpt-4o-mini-2024-07-18"},
        {"anthropic", "claude-sonnet-4-20250514"},
        {"gemini", "gemini-2.5-pro"},
        {"openai", "model-nobody-priced"},
    };

    @Test
    void ten_thousand_events_with_duplicates_and_late_arrivals_cost_exactly_what_an_independent_sum_says() {
        String tenant =
                "t_exact" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        java.util.Random random = new java.util.Random(20261123);
        Instant monthStart = Instant.parse("2026-10-01T00:00:00Z");
        List<UsageRecorded> events = new java.util.ArrayList<>();
        BigDecimal expected = BigDecimal.ZERO;
        long unpriced = 0;
        long inputTokens = 0;
        for (int i = 0; i < 10_000; i++) {
            String[] model = MODELS[random.nextInt(MODELS.length)];
            long input = random.nextInt(50_000);
            long cached = random.nextInt(10) < 3 ? random.nextInt((int) input + 1) : 0;
            long output = random.nextInt(8_000);
            // Anywhere in the month, in random order: most arrive "late" relative to another one.
            Instant at = monthStart.plusMillis((long) (random.nextDouble() * 30L * 24 * 3600 * 1000));
            events.add(new UsageRecorded(
                    UUID.randomUUID(),
                    at,
                    tenant,
                    UsageRecorded.CURRENT_VERSION,
                    "app_" + random.nextInt(3),
                    "key_" + random.nextInt(2),
                    "server",
                    model[0],
                    model[1],
                    "/chat/completions",
                    200,
                    UsageRecorded.Outcome.SUCCESS,
                    input,
                    output,
                    cached,
                    false,
                    false,
                    120,
                    1,
                    "req_" + i));
            BigDecimal[] price = LIST_PRICES.get(model[1]);
            if (price == null) {
                unpriced++;
            } else {
                expected = expected.add(price[0].multiply(BigDecimal.valueOf(input - cached))
                        .add(price[1].multiply(BigDecimal.valueOf(cached)))
                        .add(price[2].multiply(BigDecimal.valueOf(output)))
                        .divide(BigDecimal.valueOf(1_000_000)));
            }
            inputTokens += input;
        }
        List<UsageRecorded> deliveries = new java.util.ArrayList<>(events);
        for (int i = 0; i < 1_500; i++) {
            deliveries.add(events.get(random.nextInt(events.size()))); // redeliveries
        }
        java.util.Collections.shuffle(deliveries, random);

        deliveries.forEach(this::send);
        kafka.flush();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> jdbc.queryForObject(
                                "select count(*) from analytics.usage_fact where tenant_id = ?", Long.class, tenant)
                        == 10_000);

        JsonNode report = json(client.get()
                .uri(
                        "/analytics/costs?tenantId={t}&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z"
                                + "&granularity=month&groupBy=provider,model",
                        tenant)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
        JsonNode totals = report.path("totals");
        assertThat(totals.path("requests").asLong()).isEqualTo(10_000);
        assertThat(totals.path("inputTokens").asLong()).isEqualTo(inputTokens);
        assertThat(totals.path("unpricedRequests").asLong()).isEqualTo(unpriced).isPositive();
        assertThat(totals.path("costUsd").decimalValue())
                .as("exact, not merely to the micro-dollar")
                .isEqualByComparingTo(expected);
        assertThat(totals.path("costUsd").decimalValue().setScale(6, java.math.RoundingMode.HALF_EVEN))
                .isEqualTo(expected.setScale(6, java.math.RoundingMode.HALF_EVEN));
        assertThat(report.path("rows")).hasSize(MODELS.length);

        // Every granularity's rollups add up to the facts, which add up to the same figure.
        for (String granularity : new String[] {"hour", "day", "month"}) {
            BigDecimal rolled = jdbc.queryForObject(
                    "select sum(cost_usd) from analytics.usage_rollup where tenant_id = ? and granularity = ?",
                    BigDecimal.class,
                    tenant,
                    granularity);
            Long requests = jdbc.queryForObject(
                    "select sum(requests) from analytics.usage_rollup where tenant_id = ? and granularity = ?",
                    Long.class,
                    tenant,
                    granularity);
            assertThat(rolled).as(granularity).isEqualByComparingTo(expected);
            assertThat(requests).as(granularity).isEqualTo(10_000);
        }
        assertThat(jdbc.queryForObject(
                        "select sum(cost_usd) from analytics.usage_fact where tenant_id = ?", BigDecimal.class, tenant))
                .isEqualByComparingTo(expected);
        assertThat(jdbc.queryForObject(
                        "select count(*) from analytics.usage_fact where tenant_id = ? and not priced"
                                + " and cost_usd is null and model = 'model-nobody-priced'",
                        Long.class,
                        tenant))
                .isEqualTo(unpriced);
    }

    @Test
    void a_new_price_applies_from_its_effective_date_and_bad_prices_are_refused() {
        String tenant =
                "t_price" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        client.post()
                .uri("/analytics/prices")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .bodyValue(java.util.Map.of(
                        "provider",
                        "groq",
                        "model",
                        "new-model",
                        "effectiveFrom",
                        "2026-06-01T00:00:00Z",
                        "rates",
                        java.util.Map.of("input", "1.5", "output", "2.25")))
                .exchange()
                .expectStatus()
                .isCreated();
        client.post()
                .uri("/analytics/prices")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .bodyValue(java.util.Map.of(
                        "provider", "groq", "model", "x", "rates", java.util.Map.of("input", "-1", "output", "1")))
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.message")
                .value(m -> assertThat(m.toString()).contains("rates.input"));
        UsageRecorded before =
                event(tenant, "groq", "new-model", Instant.parse("2026-05-31T23:59:59Z"), 1_000_000, 0, 1_000_000);
        UsageRecorded after =
                event(tenant, "groq", "new-model", Instant.parse("2026-06-01T00:00:00Z"), 1_000_000, 0, 1_000_000);
        send(before);
        send(after);

        await().atMost(Duration.ofSeconds(20)).until(() -> rows(after.eventId()) == 1 && rows(before.eventId()) == 1);
        assertThat(jdbc.queryForObject(
                        "select priced from analytics.usage_fact where event_id = ?", Boolean.class, before.eventId()))
                .as("no price in effect yet: flagged, not zero")
                .isFalse();
        assertThat(jdbc.queryForObject(
                        "select cost_usd from analytics.usage_fact where event_id = ?",
                        BigDecimal.class,
                        after.eventId()))
                .isEqualByComparingTo("3.75");
    }

    /** A usage event with every token class set. */
    private static UsageRecorded classes(
            String tenant, String provider, String model, Instant at, dev.symbolon.contracts.Tokens t) {
        return new UsageRecorded(
                UUID.randomUUID(),
                at,
                tenant,
                UsageRecorded.CURRENT_VERSION,
                "app_1",
                "key_1",
                "server",
                provider,
                model,
                "/messages",
                200,
                UsageRecorded.Outcome.SUCCESS,
                t.input(),
                t.output(),
                t.cachedInput(),
                false,
                false,
                10,
                1,
                "req_" + UUID.randomUUID(),
                t.cacheWrite5m(),
                t.cacheWrite1h(),
                t.reasoning(),
                t.audioInput(),
                t.audioOutput(),
                false);
    }

    private JsonNode adminJson(String method, String uri, Object body, int expectedStatus) {
        var request = client.method(org.springframework.http.HttpMethod.valueOf(method))
                .uri(uri)
                .header("Authorization", "Bearer " + ADMIN_TOKEN);
        var spec = body == null ? request.exchange() : request.bodyValue(body).exchange();
        String text = spec.expectStatus()
                .isEqualTo(expectedStatus)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return json(text);
    }

    @Test
    void prompt_cache_writes_by_ttl_reasoning_and_audio_are_each_priced_at_their_own_rate_from_the_catalogue() {
        String tenant =
                "t_classes" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Instant at = Instant.parse("2026-11-20T10:00:00Z");
        // Claude Sonnet 4.5 from the bundled catalogue: 400 plain ×3, 300 reads ×0.30, 200 5-minute writes
        // ×3.75, 100 1-hour writes ×6, 500 output ×15 = 10140 µ$ (folded into input, as before: 9690 µ$)
        UsageRecorded sonnet = classes(
                tenant,
                "anthropic",
                "claude-sonnet-4-5-20250929",
                at,
                new dev.symbolon.contracts.Tokens(1000, 300, 200, 100, 500, 0, 0, 0));
        // Gemini 2.5 Flash: 600 text ×0.30 + 400 audio ×1.00, 1000 output (800 of it thinking) ×2.50 = 3080 µ$
        UsageRecorded flash = classes(
                tenant,
                "gemini",
                "gemini-2.5-flash",
                at.plusSeconds(1),
                new dev.symbolon.contracts.Tokens(1000, 0, 0, 0, 1000, 800, 400, 0));
        send(sonnet);
        send(flash);

        await().atMost(Duration.ofSeconds(20)).until(() -> rows(sonnet.eventId()) == 1 && rows(flash.eventId()) == 1);
        assertThat(jdbc.queryForObject(
                        "select cost_usd from analytics.usage_fact where event_id = ?",
                        BigDecimal.class,
                        sonnet.eventId()))
                .isEqualByComparingTo("0.010140");
        assertThat(jdbc.queryForObject(
                        "select cost_usd from analytics.usage_fact where event_id = ?",
                        BigDecimal.class,
                        flash.eventId()))
                .isEqualByComparingTo("0.003080");
        JsonNode report = adminJson(
                "GET",
                "/analytics/costs?tenantId=" + tenant
                        + "&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&granularity=month",
                null,
                200);
        JsonNode totals = report.path("totals");
        assertThat(totals.path("costUsd").decimalValue()).isEqualByComparingTo("0.01322");
        assertThat(totals.path("cacheWrite5mTokens").asLong()).isEqualTo(200);
        assertThat(totals.path("cacheWrite1hTokens").asLong()).isEqualTo(100);
        assertThat(totals.path("reasoningTokens").asLong()).isEqualTo(800);
        assertThat(totals.path("audioInputTokens").asLong()).isEqualTo(400);
        assertThat(totals.path("cachedInputTokens").asLong()).isEqualTo(300);
    }

    @Test
    void a_billed_request_whose_usage_never_arrived_is_flagged_unpriced_not_charged_zero() {
        String tenant =
                "t_unknown" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        UsageRecorded known = event(tenant, "openai", "gpt-4o-mini", Instant.parse("2026-11-20T10:00:00Z"), 0, 0, 0);
        UsageRecorded unknown = new UsageRecorded(
                UUID.randomUUID(),
                Instant.parse("2026-11-20T10:00:01Z"),
                tenant,
                1,
                "app_1",
                "key_1",
                "server",
                "openai",
                "tts-1",
                "/audio/speech",
                200,
                UsageRecorded.Outcome.SUCCESS,
                0,
                0,
                0,
                false,
                true,
                10,
                1,
                "req_" + UUID.randomUUID());
        send(known);
        send(unknown);

        await().atMost(Duration.ofSeconds(20)).until(() -> rows(known.eventId()) + rows(unknown.eventId()) == 2);
        assertThat(jdbc.queryForObject(
                        "select priced from analytics.usage_fact where event_id = ?", Boolean.class, unknown.eventId()))
                .isFalse();
        assertThat(jdbc.queryForObject(
                        "select priced from analytics.usage_fact where event_id = ?", Boolean.class, known.eventId()))
                .as("a free call is priced at 0")
                .isTrue();
    }

    @Test
    void money_reads_as_a_plain_decimal_and_zero_as_zero() {
        String tenant =
                "t_plain" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        UsageRecorded free = event(tenant, "compat:demo", "demo-echo", Instant.parse("2026-11-20T10:00:00Z"), 10, 0, 5);
        send(free);
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(free.eventId()) == 1);

        String body = client.get()
                .uri("/analytics/usage?tenantId={t}&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", tenant)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        assertThat(body).contains("\"costUsd\":0,").doesNotContain("E-").doesNotContain("0.000000000000");
    }

    @Test
    void a_price_correction_rerates_the_facts_rollups_and_quota_periods_of_its_period_exactly_and_is_audited() {
        String tenant =
                "t_rerate" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String model = "rerate-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> march = Map.of(
                "provider",
                "groq",
                "model",
                model,
                "effectiveFrom",
                "2026-03-01T00:00:00Z",
                "rates",
                Map.of("input", "1", "output", "2"));
        adminJson("POST", "/analytics/prices", march, 201);
        adminJson(
                "POST",
                "/analytics/prices",
                Map.of(
                        "provider",
                        "groq",
                        "model",
                        model,
                        "effectiveFrom",
                        "2026-04-01T00:00:00Z",
                        "rates",
                        Map.of("input", "5", "output", "5")),
                201);
        // the same version again with other rates is a conflict: corrections are PUTs
        adminJson(
                "POST",
                "/analytics/prices",
                Map.of(
                        "provider",
                        "groq",
                        "model",
                        model,
                        "effectiveFrom",
                        "2026-03-01T00:00:00Z",
                        "rates",
                        Map.of("input", "9", "output", "9")),
                409);
        UsageRecorded m5 = event(tenant, "groq", model, Instant.parse("2026-03-05T10:00:00Z"), 1_000_000, 0, 1_000_000);
        UsageRecorded m20 = event(tenant, "groq", model, Instant.parse("2026-03-20T10:00:00Z"), 500_000, 0, 0);
        UsageRecorded a2 = event(tenant, "groq", model, Instant.parse("2026-04-02T10:00:00Z"), 1_000_000, 0, 0);
        send(m5);
        send(m20);
        send(a2);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> rows(m5.eventId()) + rows(m20.eventId()) + rows(a2.eventId()) == 3);
        assertThat(monthCost(tenant, "2026-03-01T00:00:00Z")).isEqualByComparingTo("3.5"); // 1+2, 0.5

        JsonNode change = adminJson(
                "PUT",
                "/analytics/prices",
                Map.of(
                        "provider",
                        "groq",
                        "model",
                        model,
                        "effectiveFrom",
                        "2026-03-01T00:00:00Z",
                        "rates",
                        Map.of("input", "2", "output", "4")),
                200);

        assertThat(change.path("written").asString()).isEqualTo("CORRECTED");
        assertThat(change.path("factsRerated").asLong()).isEqualTo(2);
        assertThat(change.path("costDeltaUsd").decimalValue()).isEqualByComparingTo("3.5"); // 7 - 3.5
        assertThat(cost(m5.eventId())).isEqualByComparingTo("6");
        assertThat(cost(m20.eventId())).isEqualByComparingTo("1");
        assertThat(cost(a2.eventId())).as("April has its own version").isEqualByComparingTo("5");
        for (String granularity : new String[] {"hour", "day", "month"}) {
            assertThat(jdbc.queryForObject(
                            "select sum(cost_usd) from analytics.usage_rollup where tenant_id = ? and granularity = ?",
                            BigDecimal.class,
                            tenant,
                            granularity))
                    .as(granularity)
                    .isEqualByComparingTo("12");
        }
        assertThat(monthCost(tenant, "2026-03-01T00:00:00Z")).isEqualByComparingTo("7");
        assertThat(jdbc.queryForObject(
                        "select sum(cost_usd) from analytics.quota_usage where tenant_id = ? and app_id = ''"
                                + " and period = 'month'",
                        BigDecimal.class,
                        tenant))
                .as("quota periods move with the facts")
                .isEqualByComparingTo("12");
        assertThat(jdbc.queryForObject(
                        "select count(*) from analytics.price_rerate where model = ? and change = 'corrected'"
                                + " and facts_rerated = 2 and cost_delta_usd = 3.5",
                        Long.class,
                        model))
                .isEqualTo(1);
        // an identical correction changes nothing
        assertThat(adminJson(
                                "PUT",
                                "/analytics/prices",
                                Map.of(
                                        "provider",
                                        "groq",
                                        "model",
                                        model,
                                        "effectiveFrom",
                                        "2026-03-01T00:00:00Z",
                                        "rates",
                                        Map.of("input", "2.000", "output", "4")),
                                200)
                        .path("written")
                        .asString())
                .isEqualTo("UNCHANGED");
        adminJson(
                "PUT",
                "/analytics/prices",
                Map.of(
                        "provider",
                        "groq",
                        "model",
                        model,
                        "effectiveFrom",
                        "2026-02-01T00:00:00Z",
                        "rates",
                        Map.of("input", "2", "output", "4")),
                404);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(recordsOf(Topics.AUDIT).stream()
                            .map(r -> EventJson.decode(r.value(), dev.symbolon.contracts.AuditEvent.class))
                            .filter(a -> a.action().equals("price.corrected")
                                    && a.target().equals("groq/" + model)))
                    .singleElement()
                    .satisfies(a -> {
                        assertThat(a.details())
                                .containsEntry("factsRerated", "2")
                                .containsEntry("costDeltaUsd", "3.5");
                        assertThat(a.actor()).isEqualTo("bootstrap");
                    });
            dev.symbolon.contracts.PriceList latest = recordsOf(Topics.PRICES).stream()
                    .filter(r -> r.key().equals("groq/" + model))
                    .map(r -> EventJson.decode(r.value(), dev.symbolon.contracts.PriceList.class))
                    .reduce((a, b) -> b)
                    .orElseThrow();
            assertThat(latest.versions()).hasSize(2);
            assertThat(latest.versions().get(0).rates().input()).isEqualByComparingTo("2");
        });
    }

    @Test
    void a_price_file_imports_once_and_a_bad_one_is_refused_naming_what_is_wrong() {
        String model = "import-" + UUID.randomUUID().toString().substring(0, 8);
        String file = "{\"prices\": [{\"provider\": \"mistral\", \"model\": \"" + model + "-a\","
                + " \"effectiveFrom\": \"2026-01-01T00:00:00Z\", \"rates\": {\"input\": 0.5, \"output\": 1.5}},"
                + " {\"provider\": \"mistral\", \"model\": \"" + model
                + "-b\", \"effectiveFrom\": \"2026-01-01T00:00:00Z\","
                + " \"rates\": {\"input\": 1, \"output\": 3}, \"longContextAbove\": 128000,"
                + " \"longContext\": {\"input\": 2, \"output\": 6}, \"maxOutputTokens\": 8192}]}";

        JsonNode first = adminJson("POST", "/analytics/prices/import", file, 200);
        JsonNode again = adminJson("POST", "/analytics/prices/import", file, 200);

        assertThat(first.path("added").asLong()).isEqualTo(2);
        assertThat(again.path("unchanged").asLong()).isEqualTo(2);
        assertThat(again.path("added").asLong()).isZero();
        JsonNode listed = adminJson("GET", "/analytics/prices", null, 200);
        assertThat(listed.valueStream().filter(p -> p.path("model").asString().equals(model + "-b")))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.path("longContextAbove").asLong()).isEqualTo(128000);
                    assertThat(p.path("longContext").path("output").decimalValue())
                            .isEqualByComparingTo("6");
                });
        // hostile and broken files: each refused with the field named, nothing written
        assertThat(adminJson("POST", "/analytics/prices/import", "{\"prices\": [{\"provider\": \"groq\"}]}", 400)
                        .path("error")
                        .path("message")
                        .asString())
                .contains("model");
        assertThat(adminJson(
                                "POST",
                                "/analytics/prices",
                                Map.of("provider", "groq", "model", "%", "rates", Map.of("input", "1", "output", "1")),
                                400)
                        .path("error")
                        .path("message")
                        .asString())
                .contains("model");
        assertThat(adminJson(
                                "POST",
                                "/analytics/prices",
                                Map.of(
                                        "provider",
                                        "groq",
                                        "model",
                                        "nul\u0000model",
                                        "rates",
                                        Map.of("input", "1", "output", "1")),
                                400)
                        .path("error")
                        .path("message")
                        .asString())
                .contains("model");
        assertThat(adminJson(
                                "POST",
                                "/analytics/prices",
                                Map.of(
                                        "provider",
                                        "groq",
                                        "model",
                                        "tiered",
                                        "rates",
                                        Map.of("input", "1", "output", "1"),
                                        "longContextAbove",
                                        1000),
                                400)
                        .path("error")
                        .path("message")
                        .asString())
                .contains("longContext");
        assertThat(adminJson("POST", "/analytics/prices", "[1]", 400)
                        .path("error")
                        .path("type")
                        .asString())
                .isEqualTo("invalid_request");
        assertThat(jdbc.queryForObject(
                        "select count(*) from analytics.price where model in ('%', 'tiered')", Long.class))
                .isZero();
    }

    @Test
    void the_bundled_catalogue_is_in_the_table_and_on_the_prices_topic() {
        assertThat(jdbc.queryForObject(
                        "select count(*) from analytics.price where created_by = 'catalogue'", Long.class))
                .isEqualTo(
                        dev.symbolon.contracts.PriceCatalogue.bundled().prices().size());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(recordsOf(Topics.PRICES))
                .extracting(ConsumerRecord::key)
                .contains("gemini/gemini-2.5-flash", "anthropic/claude-sonnet-4-5", "openai/gpt-5"));
    }

    private BigDecimal cost(UUID eventId) {
        return jdbc.queryForObject(
                "select cost_usd from analytics.usage_fact where event_id = ?", BigDecimal.class, eventId);
    }

    private BigDecimal monthCost(String tenant, String month) {
        return jdbc.queryForObject(
                "select coalesce(sum(cost_usd), 0) from analytics.usage_rollup where tenant_id = ?"
                        + " and granularity = 'month' and bucket = ?::timestamptz",
                BigDecimal.class,
                tenant,
                month);
    }

    @Autowired
    dev.symbolon.analytics.quota.TenantDirectory directory;

    @Test
    void quota_state_follows_usage_in_the_tenants_day_and_thresholds_notify_once_per_period() {
        String tenant =
                "t_quota" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        TenantConfigSnapshot.Policy policy = TenantConfigSnapshot.Policy.builder()
                .requestsPerDay(4L)
                .costPerMonthUsd(new BigDecimal("100"))
                .alertThresholdsPercent(List.of(50, 100))
                .build();
        kafka.send(
                Topics.TENANT_CONFIG,
                tenant,
                EventJson.encode(new TenantConfigSnapshot(
                        UUID.randomUUID(),
                        Instant.now(),
                        tenant,
                        1,
                        1,
                        TenantConfigSnapshot.Status.ACTIVE,
                        "Asia/Tokyo",
                        policy,
                        new TenantConfigSnapshot.IpRules(List.of(), List.of()),
                        List.of(),
                        List.of(),
                        List.of())));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> directory.zone(tenant).equals(java.time.ZoneId.of("Asia/Tokyo")));

        List<UsageRecorded> usage = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            usage.add(event(tenant, "openai", "gpt-4o-mini", Instant.now(), 1_000, 0, 500));
        }
        UsageRecorded refused = new UsageRecorded(
                UUID.randomUUID(),
                Instant.now(),
                tenant,
                UsageRecorded.CURRENT_VERSION,
                "app_1",
                null,
                null,
                "openai",
                "gpt-4o-mini",
                "/chat/completions",
                429,
                UsageRecorded.Outcome.REFUSED,
                0,
                0,
                0,
                false,
                false,
                1,
                1,
                "req_refused");
        usage.forEach(this::send);
        send(refused);

        QuotaState state = await().atMost(Duration.ofSeconds(20))
                .until(() -> latestState(tenant), s -> s != null && s.day().requests() == 5);
        java.time.ZonedDateTime tokyoDay =
                Instant.now().atZone(java.time.ZoneId.of("Asia/Tokyo")).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        assertThat(state.day().start()).isEqualTo(tokyoDay.toInstant());
        assertThat(state.day().end()).isEqualTo(tokyoDay.plusDays(1).toInstant());
        assertThat(state.day().tokens()).isEqualTo(5 * 1_500);
        assertThat(state.day().costUsd()).isEqualByComparingTo("0.00225"); // 5 x (1000 x 0.15 + 500 x 0.60) / 1e6
        assertThat(state.blocked()).isTrue();
        assertThat(state.blockedReason()).isEqualTo("requests-per-day");
        assertThat(state.blockedUntil()).isEqualTo(tokyoDay.plusDays(1).toInstant());
        assertThat(state.usageOffset())
                .as("covers the refusal too: it was read, and it does not count")
                .isEqualTo(offsetOf(refused.eventId()));
        assertThat(latestState(tenant + "/app_1").day().requests()).isEqualTo(5);
        // What the edge's GET /analytics/my-stats relays for app_1 (service token only).
        client.get()
                .uri("/internal/v1/app-stats?tenantId={t}&appId=app_1", tenant)
                .header("Authorization", "Bearer " + SERVICE_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.today.requests")
                .isEqualTo(5)
                .jsonPath("$.thisMonth.tokens")
                .isEqualTo(5 * 1_500)
                .jsonPath("$.today.start")
                .isEqualTo(tokyoDay.toInstant().toString());
        client.get()
                .uri("/internal/v1/app-stats?tenantId={t}&appId=app_1", tenant)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isUnauthorized();

        // Redelivered: nothing changes, and no threshold fires again.
        usage.forEach(this::send);
        UsageRecorded marker =
                event(tenant, "openai", "unpriced-marker", Instant.now().minus(java.time.Duration.ofDays(40)), 1, 0, 1);
        send(marker);
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.eventId()) == 1);
        List<String> notifications = rawRecords(Topics.NOTIFICATION).stream()
                .filter(r -> tenant.equals(r.key()))
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
        assertThat(notifications).hasSize(2);
        assertThat(notifications)
                .filteredOn(n -> n.contains("quota.threshold_reached") && n.contains("\"thresholdPercent\":50"))
                .hasSize(1);
        assertThat(notifications)
                .filteredOn(n -> n.contains("quota.exhausted") && n.contains("requests-per-day"))
                .hasSize(1);
        assertThat(jdbc.queryForObject(
                        "select requests from analytics.quota_usage where tenant_id = ? and app_id = '' and period = 'day'"
                                + " and period_start = ?",
                        Long.class,
                        tenant,
                        java.sql.Timestamp.from(tokyoDay.toInstant())))
                .isEqualTo(5);
    }

    @Autowired
    org.springframework.kafka.config.KafkaListenerEndpointRegistry listeners;

    @Test
    void a_batch_that_fails_midway_and_ingest_restarts_change_nothing_in_the_totals() {
        String tenant =
                "t_crash" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        org.springframework.kafka.listener.MessageListenerContainer usage = listeners.getListenerContainer("usage");
        usage.stop();
        // The third rollup write from now fails, after that batch's facts were inserted: the whole
        // transaction rolls back and the batch comes again (a sequence is not rolled back with it).
        jdbc.execute("create sequence if not exists analytics.injected_failure");
        jdbc.execute(
                """
                create or replace function analytics.fail_third_rollup() returns trigger language plpgsql as $$
                begin
                    if nextval('analytics.injected_failure') = 3 then
                        raise exception 'injected failure in the middle of a batch';
                    end if;
                    return null;
                end $$""");
        jdbc.execute("create trigger fail_third_rollup before insert on analytics.usage_rollup"
                + " for each statement execute function analytics.fail_third_rollup()");
        try {
            java.util.Random random = new java.util.Random(7);
            BigDecimal expected = BigDecimal.ZERO;
            List<UsageRecorded> events = new java.util.ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                long input = random.nextInt(20_000);
                long output = random.nextInt(2_000);
                events.add(event(
                        tenant,
                        "openai",
                        "gpt-4o-mini",
                        Instant.parse("2026-09-15T12:00:00Z").plusSeconds(i),
                        input,
                        0,
                        output));
                expected = expected.add(new BigDecimal("0.15")
                        .multiply(BigDecimal.valueOf(input))
                        .add(new BigDecimal("0.60").multiply(BigDecimal.valueOf(output)))
                        .divide(BigDecimal.valueOf(1_000_000)));
            }
            events.forEach(this::send);
            kafka.flush();

            usage.start();
            // Stop and start ingest twice while the backlog drains: each stop finishes or abandons a
            // batch, and what was not committed is read again.
            for (int restart = 0; restart < 2; restart++) {
                long target = 1_000L * (restart + 1);
                await().atMost(Duration.ofSeconds(30)).until(() -> factsOf(tenant) >= target);
                usage.stop();
                usage.start();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> factsOf(tenant) == 3_000);

            assertThat(jdbc.queryForObject("select nextval('analytics.injected_failure')", Long.class))
                    .as("the failure was injected")
                    .isGreaterThan(3);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                            "select sum(requests) from analytics.usage_rollup where tenant_id = ? and granularity = 'month'",
                            Long.class,
                            tenant))
                    .isEqualTo(3_000));
            assertThat(jdbc.queryForObject(
                            "select sum(cost_usd) from analytics.usage_rollup where tenant_id = ? and granularity = 'hour'",
                            BigDecimal.class,
                            tenant))
                    .isEqualByComparingTo(expected);
            assertThat(jdbc.queryForObject(
                            "select sum(cost_usd) from analytics.usage_fact where tenant_id = ?",
                            BigDecimal.class,
                            tenant))
                    .isEqualByComparingTo(expected);
        } finally {
            jdbc.execute("drop trigger if exists fail_third_rollup on analytics.usage_rollup");
            if (!usage.isRunning()) {
                usage.start();
            }
        }
    }

    private long factsOf(String tenant) {
        return jdbc.queryForObject("select count(*) from analytics.usage_fact where tenant_id = ?", Long.class, tenant);
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

    private String get(String path) {
        return client.get()
                .uri(path)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
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

    @Autowired
    dev.symbolon.analytics.ingest.FactPartitions partitions;

    @Test
    void facts_live_in_month_partitions_that_retention_drops_whole_while_rollups_stay() {
        String tenant = "t_part" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        UsageRecorded old =
                event(tenant, "openai", "gpt-4o-mini", Instant.parse("2025-03-10T08:00:00Z"), 1_000_000, 0, 0);
        send(old);
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(old.eventId()) == 1);
        assertThat(jdbc.queryForObject(
                        "select tableoid::regclass::text from analytics.usage_fact where event_id = ?",
                        String.class,
                        old.eventId()))
                .as("no partition for that month yet")
                .isEqualTo("usage_fact_default");
        assertThat(jdbc.queryForObject(
                        "select count(*) from pg_tables where schemaname = 'analytics' and tablename = ?",
                        Long.class,
                        "usage_fact_"
                                + java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                                        .format(java.time.format.DateTimeFormatter.ofPattern("yyyy_MM"))))
                .as("the current month's partition is made ahead")
                .isEqualTo(1);

        partitions.ensure(java.time.LocalDate.parse("2025-03-01"));

        assertThat(jdbc.queryForObject(
                        "select tableoid::regclass::text from analytics.usage_fact where event_id = ?",
                        String.class,
                        old.eventId()))
                .isEqualTo("usage_fact_2025_03");
        send(old); // a redelivery into the month partition is still the same fact
        UsageRecorded marker = event(tenant, "openai", "gpt-4o-mini", Instant.parse("2025-03-11T08:00:00Z"), 1, 0, 1);
        send(marker);
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.eventId()) == 1);
        assertThat(rows(old.eventId())).isEqualTo(1);

        assertThat(partitions.dropExpired(Instant.parse("2025-04-02T00:00:00Z")))
                .isEqualTo(1);
        assertThat(rows(old.eventId())).isZero();
        assertThat(jdbc.queryForObject(
                        "select sum(requests) from analytics.usage_rollup where tenant_id = ? and granularity = 'month'",
                        Long.class,
                        tenant))
                .as("the month's totals outlive its facts")
                .isEqualTo(2);
    }

    private QuotaState latestState(String key) {
        QuotaState latest = null;
        for (ConsumerRecord<String, byte[]> record : rawRecords(Topics.QUOTA_STATE)) {
            if (key.equals(record.key())) {
                latest = EventJson.decode(record.value(), QuotaState.class);
            }
        }
        return latest;
    }

    private long offsetOf(UUID eventId) {
        return rawRecords(Topics.USAGE_RECORDED).stream()
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains(eventId.toString()))
                .mapToLong(ConsumerRecord::offset)
                .max()
                .orElseThrow();
    }

    /** Everything on a topic right now. */
    private List<ConsumerRecord<String, byte[]>> rawRecords(String topic) {
        Properties config = new Properties();
        config.put("bootstrap.servers", broker.getBrokersAsString());
        config.put("enable.auto.commit", "false"); // assigned, no group: nothing to commit or leave
        config.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
        }
        return records;
    }

    private static UsageRecorded event(
            String tenant, String provider, String model, Instant at, long input, long cached, long output) {
        return new UsageRecorded(
                UUID.randomUUID(),
                at,
                tenant,
                UsageRecorded.CURRENT_VERSION,
                "app_1",
                "key_1",
                "server",
                provider,
                model,
                "/chat/completions",
                200,
                UsageRecorded.Outcome.SUCCESS,
                input,
                output,
                cached,
                false,
                false,
                10,
                1,
                "req_" + UUID.randomUUID());
    }

    private static JsonNode json(String body) {
        return JsonMapper.builder()
                .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build()
                .readTree(body);
    }

    private void send(UsageRecorded event) {
        kafka.send(Topics.USAGE_RECORDED, event.tenantId(), EventJson.encode(event));
    }

    private long rows(UUID eventId) {
        return jdbc.queryForObject("select count(*) from analytics.usage_fact where event_id = ?", Long.class, eventId);
    }

    /** Every record on a topic now (read to the end offsets it has at the call). */
    private List<ConsumerRecord<String, byte[]>> recordsOf(String topic) {
        Properties config = new Properties();
        config.put("bootstrap.servers", broker.getBrokersAsString());
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static UsageRecorded copy(UsageRecorded e, UUID eventId, String tenantId) {
        return copy(e, eventId, tenantId, e.model());
    }

    private static UsageRecorded copy(UsageRecorded e, UUID eventId, String tenantId, String model) {
        return new UsageRecorded(
                eventId,
                Instant.parse("2026-11-23T10:15:30.123Z"),
                tenantId,
                e.version(),
                e.appId(),
                e.keyId(),
                e.keyKind(),
                e.provider(),
                model,
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
                "req_" + eventId);
    }
}
