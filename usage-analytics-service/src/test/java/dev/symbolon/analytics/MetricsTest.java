package dev.symbolon.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.support.testing.Scrape;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** usage-analytics-service's {@code /actuator/prometheus} after real ingest. */
class MetricsTest extends AnalyticsContextTest {

    @Test
    void ingest_counts_new_facts_duplicates_unpriced_requests_spend_and_dead_letters() {
        String tenant = "t_metrics_" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        UsageRecorded priced = event(tenant, "openai", "gpt-4o-mini-2024-07-18", now, 1000, 0, 500);
        UsageRecorded twice = event(tenant, "openai", "gpt-4o-mini-2024-07-18", now, 2000, 0, 0);
        UsageRecorded unpriced = event(tenant, "openai", "model-nobody-priced", now, 10, 0, 10);
        Scrape before = scrape();

        send(priced);
        send(twice);
        send(twice);
        send(unpriced);
        kafka.send(Topics.USAGE_RECORDED, tenant, "not json".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> scrape().since(before, "symbolon_kafka_dead_letters_total", "topic", Topics.USAGE_RECORDED)
                        == 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> scrape().since(before, "symbolon_analytics_events_ingested_total") == 3);

        Scrape after = scrape();
        assertThat(after.since(before, "symbolon_analytics_events_duplicates_total"))
                .isEqualTo(1);
        assertThat(after.since(
                        before, "symbolon_analytics_requests_unpriced_total", "provider", "openai", "tenant", tenant))
                .isEqualTo(1);
        // 1000 × 0.15 + 500 × 0.60 and 2000 × 0.15 per million: 0.00045 + 0.0003 USD, as stored
        double stored = jdbc.queryForObject(
                        "select sum(cost_usd) from analytics.usage_fact where tenant_id = ?",
                        java.math.BigDecimal.class,
                        tenant)
                .doubleValue();
        assertThat(stored).isCloseTo(0.00075, within(1e-12));
        assertThat(after.value("symbolon_analytics_spend_usd_total", "provider", "openai", "tenant", tenant))
                .isCloseTo(stored, within(1e-12));
        // the model label is the price card's, never an arbitrary client string
        assertThat(after.labelValues("symbolon_analytics_spend_usd_total", "model"))
                .allMatch(model ->
                        LIST_PRICES.keySet().stream().anyMatch(model::startsWith) || !model.contains("nobody"));
        assertThat(after.text()).doesNotContain("model-nobody-priced").doesNotContain("req_");
        // ingest lag per partition, as the listener's consumer reads it (checked every second here)
        await().atMost(Duration.ofSeconds(10)).until(() -> scrape().has(
                        "symbolon_kafka_consumer_lag_records",
                        "listener",
                        "usage",
                        "topic",
                        Topics.USAGE_RECORDED,
                        "partition",
                        "0"));
        // the outbox (threshold notifications, prices, audit) says what waits
        assertThat(after.has("symbolon_outbox_backlog_messages", "table", "outbox"))
                .isTrue();
    }

    private Scrape scrape() {
        return Scrape.of(port, SCRAPE_TOKEN);
    }
}
