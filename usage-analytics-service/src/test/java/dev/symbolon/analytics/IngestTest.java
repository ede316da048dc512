package dev.symbolon.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.GoldenFiles;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Usage ingest: stored once however often delivered, dead letters for records at fault, nothing lost in an outage or a restart, lag, partitions and retention. */
class IngestTest extends AnalyticsContextTest {

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
}
