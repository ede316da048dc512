package dev.symbolon.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class EventJsonTest {

    static final java.util.List<String> topics = Topics.ALL;

    private final JsonMapper plain = JsonMapper.builder().build();

    @ParameterizedTest
    @FieldSource("topics")
    void every_topic_has_a_golden_file_that_survives_a_round_trip_unchanged(String topic) {
        String golden = GoldenFiles.read(topic);
        Event event = EventJson.decode(golden, GoldenFiles.TYPES.get(topic));

        JsonNode reencoded = plain.readTree(EventJson.encode(event));

        assertThat(reencoded).isEqualTo(plain.readTree(golden));
    }

    @ParameterizedTest
    @FieldSource("topics")
    void every_event_carries_id_time_tenant_and_version(String topic) {
        Event event = EventJson.decode(GoldenFiles.read(topic), GoldenFiles.TYPES.get(topic));

        assertThat(event.eventId()).isNotNull();
        assertThat(event.occurredAt()).isNotNull();
        // prices are the operator's, every other event a tenant's
        assertThat(event.tenantId())
                .isEqualTo(topic.equals(Topics.PRICES) ? KeyLifecycleEvent.PLATFORM_TENANT : "t_acme");
        assertThat(event.version()).isEqualTo(1);
    }

    @ParameterizedTest
    @FieldSource("topics")
    void an_added_field_does_not_break_an_older_consumer(String topic) {
        ObjectNode withExtra = (ObjectNode) plain.readTree(GoldenFiles.read(topic));
        withExtra.put("fieldFromTheFuture", "x");

        Event event = EventJson.decode(plain.writeValueAsString(withExtra), GoldenFiles.TYPES.get(topic));

        assertThat(event.eventId())
                .isEqualTo(EventJson.decode(GoldenFiles.read(topic), GoldenFiles.TYPES.get(topic))
                        .eventId());
    }

    @Test
    void no_java_class_name_travels_on_the_wire() {
        for (String topic : Topics.ALL) {
            Event event = EventJson.decode(GoldenFiles.read(topic), GoldenFiles.TYPES.get(topic));
            assertThat(EventJson.encodeToString(event))
                    .doesNotContain("dev.symbolon")
                    .doesNotContain("@class")
                    .doesNotContain("@type");
        }
    }

    @Test
    void money_keeps_every_decimal_digit() {
        QuotaState state = GoldenFiles.decode(Topics.QUOTA_STATE, QuotaState.class);

        assertThat(state.month().costUsd()).isEqualByComparingTo(new BigDecimal("5000.000001"));
        assertThat(state.day().costUsd()).isEqualByComparingTo(new BigDecimal("12.345678"));
    }

    @Test
    void a_usage_event_from_before_the_token_classes_reads_them_as_zero() {
        ObjectNode older = (ObjectNode) plain.readTree(GoldenFiles.read(Topics.USAGE_RECORDED));
        for (String added : new String[] {
            "cacheWrite5mTokens",
            "cacheWrite1hTokens",
            "reasoningTokens",
            "audioInputTokens",
            "audioOutputTokens",
            "estimated"
        }) {
            older.remove(added);
        }

        UsageRecorded event = EventJson.decode(plain.writeValueAsString(older), UsageRecorded.class);

        assertThat(event.tokens()).isEqualTo(new Tokens(1200, 1024, 0, 0, 345, 0, 0, 0));
        assertThat(event.estimated()).isFalse();
    }

    @Test
    void a_usage_event_from_before_attempts_counts_its_request() {
        ObjectNode older = (ObjectNode) plain.readTree(GoldenFiles.read(Topics.USAGE_RECORDED));
        older.remove("attempt");
        older.remove("failedOver");

        UsageRecorded event = EventJson.decode(plain.writeValueAsString(older), UsageRecorded.class);

        assertThat(event.attempt()).isZero();
        assertThat(event.failedOver()).isFalse();
        assertThat(event.countsAsRequest()).isTrue();
    }

    @Test
    void an_attempt_the_edge_failed_over_from_counts_its_cost_but_not_the_request() {
        ObjectNode failed = (ObjectNode) plain.readTree(GoldenFiles.read(Topics.USAGE_RECORDED));
        failed.put("failedOver", true);
        failed.put("status", 429);
        failed.put("outcome", "UPSTREAM_ERROR");

        UsageRecorded event = EventJson.decode(plain.writeValueAsString(failed), UsageRecorded.class);

        assertThat(event.countsTowardQuota()).isTrue();
        assertThat(event.countsAsRequest()).isFalse();
    }

    @Test
    void a_price_list_keeps_every_rate_exactly() {
        PriceList list = GoldenFiles.decode(Topics.PRICES, PriceList.class);

        assertThat(list.key()).isEqualTo("anthropic/claude-sonnet-4-5");
        PriceCard card = list.versions().get(0);
        assertThat(card.rates().cacheWrite1h()).isEqualByComparingTo("6.00");
        assertThat(card.longContextAbove()).isEqualTo(200_000L);
        assertThat(card.longContext().output()).isEqualByComparingTo("22.50");
    }

    @Test
    void instants_are_iso_strings_with_their_fraction() {
        UsageRecorded usage = GoldenFiles.decode(Topics.USAGE_RECORDED, UsageRecorded.class);

        assertThat(usage.occurredAt()).isEqualTo(Instant.parse("2026-11-23T10:15:30.123Z"));
        assertThat(EventJson.encodeToString(usage)).contains("\"occurredAt\":\"2026-11-23T10:15:30.123Z\"");
    }

    @Test
    void an_event_without_its_id_is_malformed_not_half_read() {
        ObjectNode broken = (ObjectNode) plain.readTree(GoldenFiles.read(Topics.USAGE_RECORDED));
        broken.remove("eventId");

        assertThatThrownBy(() -> EventJson.decode(plain.writeValueAsString(broken), UsageRecorded.class))
                .isInstanceOf(EventJson.MalformedEventException.class)
                .hasMessageContaining("eventId");
    }

    @Test
    void garbage_is_malformed() {
        assertThatThrownBy(() -> EventJson.decode("not json", Notification.class))
                .isInstanceOf(EventJson.MalformedEventException.class);
    }

    @Test
    void the_app_quota_key_joins_tenant_and_app() {
        QuotaState tenantWide = new QuotaState(
                UUID.randomUUID(), Instant.now(), "t_1", 1, null, null, null, false, null, null, null, null);
        QuotaState app = new QuotaState(
                UUID.randomUUID(), Instant.now(), "t_1", 1, "app_9", null, null, false, null, null, null, null);

        assertThat(tenantWide.key()).isEqualTo("t_1");
        assertThat(app.key()).isEqualTo("t_1/app_9");
    }
}
