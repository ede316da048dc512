package dev.symbolon.analytics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.UsageRecorded;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IngestMetersTest {

    @Test
    void without_the_operators_say_so_no_meter_carries_a_tenant() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        IngestMeters meters = new IngestMeters(registry, false);

        meters.stored(
                3,
                List.of(
                        new UsageFacts.Priced(event("t_one"), new BigDecimal("0.25"), "gpt-4o"),
                        new UsageFacts.Priced(event("t_two"), new BigDecimal("0.5"), "gpt-4o"),
                        new UsageFacts.Priced(event("t_two"), null, null)));

        assertThat(registry.get("symbolon.analytics.spend")
                        .tag("model", "gpt-4o")
                        .counter()
                        .count())
                .isEqualTo(0.75);
        assertThat(registry.get("symbolon.analytics.requests.unpriced")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("symbolon.analytics.events.ingested").counter().count())
                .isEqualTo(3);
        assertThat(registry.getMeters())
                .flatExtracting(m -> m.getId().getTags())
                .noneMatch(tag -> tag.getKey().equals("tenant"));
        assertThat(registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName))
                .contains("symbolon.analytics.events.duplicates");
    }

    @Test
    void with_the_tenant_label_on_spend_is_by_tenant() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        IngestMeters meters = new IngestMeters(registry, true);

        meters.stored(
                2,
                List.of(
                        new UsageFacts.Priced(event("t_one"), new BigDecimal("0.25"), "gpt-4o"),
                        new UsageFacts.Priced(event("t_two"), new BigDecimal("0.5"), "gpt-4o")));

        assertThat(registry.get("symbolon.analytics.spend")
                        .tag("tenant", "t_two")
                        .counter()
                        .count())
                .isEqualTo(0.5);
    }

    private static UsageRecorded event(String tenant) {
        return new UsageRecorded(
                UUID.randomUUID(),
                Instant.now(),
                tenant,
                UsageRecorded.CURRENT_VERSION,
                "app_1",
                "key_1",
                "server",
                "openai",
                "gpt-4o-2024-08-06",
                "/chat/completions",
                200,
                UsageRecorded.Outcome.SUCCESS,
                10,
                10,
                0,
                false,
                false,
                10,
                1,
                "req_1");
    }
}
