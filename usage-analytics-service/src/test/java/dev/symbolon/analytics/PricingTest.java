package dev.symbolon.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.Topics;
import dev.symbolon.contracts.UsageRecorded;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Exact cost: every token class at its own rate, effective dates, corrections that re-rate, imports, the bundled catalogue, unpriced usage. */
class PricingTest extends AnalyticsContextTest {

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

    private BigDecimal monthCost(String tenant, String month) {
        return jdbc.queryForObject(
                "select coalesce(sum(cost_usd), 0) from analytics.usage_rollup where tenant_id = ?"
                        + " and granularity = 'month' and bucket = ?::timestamptz",
                BigDecimal.class,
                tenant,
                month);
    }
}
