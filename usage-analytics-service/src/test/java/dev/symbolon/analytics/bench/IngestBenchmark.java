package dev.symbolon.analytics.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Sustained ingest of usage-analytics-service: the real listener, pricing, rollups and quota usage,
 * into a real PostgreSQL from an embedded broker. A backlog of events is produced while ingest is
 * stopped; then ingest starts and the clock runs until every event is a fact.
 *
 * <p>Not part of the test suite (the class name does not end in {@code Test}); run it with
 *
 * <pre>./mvnw -q -pl usage-analytics-service -am test -Dtest=IngestBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dbench.events=200000</pre>
 */
@SpringBootTest(
        properties = {
            "spring.config.name=usage-analytics-service",
            "KAFKA_BOOTSTRAP_SERVERS=${spring.embedded.kafka.brokers}",
            "DATABASE_USERNAME=postgres",
            "DATABASE_PASSWORD=",
            "SYMBOLON_ADMIN_TOKEN=bench",
            "ADMIN_API_URL=http://localhost:9",
            "SYMBOLON_SERVICE_TOKEN=bench",
            "logging.level.root=WARN",
        })
@EmbeddedKafka(partitions = 1)
class IngestBenchmark {

    static final EmbeddedPostgres postgres;

    static {
        postgres = dev.symbolon.support.testing.TestPostgres.start();
    }

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> postgres.getJdbcUrl("postgres", "postgres"));
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @Autowired
    KafkaTemplate<String, byte[]> kafka;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void sustained_ingest() {
        int events = Integer.getInteger("bench.events", 100_000);
        MessageListenerContainer usage = listeners.getListenerContainer("usage");
        await().atMost(Duration.ofSeconds(30)).until(usage::isRunning);
        usage.stop();

        Random random = new Random(1);
        String[][] models = {
            {"openai", "gpt-4o-mini"}, {"anthropic", "claude-sonnet-4-20250514"}, {"gemini", "gemini-2.5-flash"}
        };
        Instant now = Instant.now();
        for (int i = 0; i < events; i++) {
            String tenant = "t_bench" + random.nextInt(200);
            String[] model = models[random.nextInt(models.length)];
            UsageRecorded event = new UsageRecorded(
                    UUID.randomUUID(),
                    now.minusSeconds(random.nextInt(86_400)),
                    tenant,
                    UsageRecorded.CURRENT_VERSION,
                    "app_" + random.nextInt(5),
                    "key_" + random.nextInt(3),
                    "server",
                    model[0],
                    model[1],
                    "/chat/completions",
                    200,
                    UsageRecorded.Outcome.SUCCESS,
                    random.nextInt(4_000),
                    random.nextInt(1_000),
                    random.nextInt(500),
                    false,
                    false,
                    300,
                    1,
                    "req_" + i);
            kafka.send(Topics.USAGE_RECORDED, tenant, EventJson.encode(event));
        }
        kafka.flush();

        long start = System.nanoTime();
        usage.start();
        await().atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> jdbc.queryForObject("select count(*) from analytics.usage_fact", Long.class) >= events);
        double seconds = (System.nanoTime() - start) / 1e9;

        long facts = jdbc.queryForObject("select count(*) from analytics.usage_fact", Long.class);
        assertThat(facts).isEqualTo(events);
        System.out.printf(
                "ingest: %d events in %.2f s = %.0f events/s (facts, cost, hour/day/month rollups, quota usage)%n",
                events, seconds, events / seconds);
    }
}
