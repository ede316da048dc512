package dev.symbolon.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.Topics;
import dev.symbolon.support.testing.Scrape;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * The edge's {@code /actuator/prometheus} after real traffic: the GenAI meters by provider and priced
 * model, outcomes by status class, refusals by reason, upstream errors, the key cache, the feeds and the
 * usage journal, with bounded labels only.
 */
class MetricsTest extends EdgeContextTest {

    @Test
    void a_scrape_after_real_traffic_finds_tokens_durations_outcomes_and_the_gateways_own_time() {
        String model = priced("metrics-" + UUID.randomUUID().toString().substring(0, 8))
                .model();
        String unpriced = "unpriced-" + UUID.randomUUID();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing("metrics-"))
                .willReturn(okJson("{\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7}}")));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing(unpriced))
                .willReturn(okJson("{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}")));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing("broken-"))
                .willReturn(aResponse().withStatus(503).withBody("{\"error\":{\"message\":\"overloaded\"}}")));
        Scrape before = scrape();

        assertThat(chat(CREDENTIAL, model)).isEqualTo(200);
        assertThat(chat(CREDENTIAL, model)).isEqualTo(200);
        assertThat(chat(CREDENTIAL, unpriced)).isEqualTo(200);
        assertThat(chat(CREDENTIAL, "broken-" + UUID.randomUUID())).isEqualTo(503);
        assertThat(chat("sym_live_not-a-credential", model)).isEqualTo(401);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> scrape().since(before, "symbolon_edge_requests_total", "provider", "openai") == 4);
        Scrape after = scrape();
        String[] priced = {"gen_ai_provider_name", "openai", "gen_ai_request_model", model};
        assertThat(after.since(before, "gen_ai_client_token_usage_sum", with(priced, "gen_ai_token_type", "input")))
                .isEqualTo(22);
        assertThat(after.since(before, "gen_ai_client_token_usage_sum", with(priced, "gen_ai_token_type", "output")))
                .isEqualTo(14);
        assertThat(after.since(before, "gen_ai_client_token_usage_count", with(priced, "gen_ai_token_type", "input")))
                .isEqualTo(2);
        // 11 tokens fall in the bucket up to 16, not in the one up to 4
        assertThat(after.since(
                        before,
                        "gen_ai_client_token_usage_bucket",
                        with(priced, "gen_ai_token_type", "input", "le", "16.0")))
                .isEqualTo(2);
        assertThat(after.since(
                        before,
                        "gen_ai_client_token_usage_bucket",
                        with(priced, "gen_ai_token_type", "input", "le", "4.0")))
                .isZero();
        assertThat(after.since(before, "gen_ai_client_operation_duration_seconds_count", priced))
                .isEqualTo(2);
        // a model without a price is "other", whatever the client wrote: labels stay bounded
        assertThat(after.since(
                        before,
                        "gen_ai_client_token_usage_sum",
                        "gen_ai_request_model",
                        "other",
                        "gen_ai_token_type",
                        "input"))
                .isEqualTo(3);
        assertThat(after.text()).doesNotContain(unpriced).doesNotContain("broken-");

        assertThat(after.since(
                        before,
                        "symbolon_edge_requests_total",
                        "provider",
                        "openai",
                        "outcome",
                        "success",
                        "status",
                        "2xx"))
                .isEqualTo(3);
        assertThat(after.since(
                        before,
                        "symbolon_edge_requests_total",
                        "provider",
                        "openai",
                        "outcome",
                        "upstream_error",
                        "status",
                        "5xx"))
                .isEqualTo(1);
        assertThat(after.since(
                        before, "symbolon_edge_upstream_errors_total", "provider", "openai", "type", "status_5xx"))
                .isEqualTo(1);
        assertThat(after.since(before, "symbolon_edge_refusals_total", "reason", "invalid_credential"))
                .isEqualTo(1);
        // the gateway's own time, for each forwarded request
        assertThat(after.since(before, "symbolon_edge_overhead_seconds_count")).isEqualTo(4);
        assertThat(after.since(before, "cache_gets_total", "cache", "provider-keys"))
                .isEqualTo(4);

        // no credential, key, request id or prompt in any label or value
        assertThat(after.text())
                .doesNotContain(CREDENTIAL)
                .doesNotContain(OPENAI_KEY)
                .doesNotContain("req_")
                .doesNotContain("t_acme");
    }

    @Test
    void a_stream_records_time_to_first_token_and_per_output_token() {
        String model = priced("streamed-" + UUID.randomUUID().toString().substring(0, 8))
                .model();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing(model))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(StreamingTest.OPENAI_STREAM)));
        Scrape before = scrape();

        String body = client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + CREDENTIAL)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"" + model + "\",\"stream\":true}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(body).contains("[DONE]");

        String[] labels = {"gen_ai_provider_name", "openai", "gen_ai_request_model", model};
        await().atMost(Duration.ofSeconds(10))
                .until(() -> scrape().since(before, "gen_ai_server_time_to_first_token_seconds_count", labels) == 1);
        Scrape after = scrape();
        assertThat(after.since(before, "gen_ai_server_time_per_output_token_seconds_count", labels))
                .isEqualTo(1);
        assertThat(after.since(before, "gen_ai_client_token_usage_sum", with(labels, "gen_ai_token_type", "output")))
                .isEqualTo(2);
        // the first bytes came before the last: time to first token is at most the whole duration
        assertThat(after.since(before, "gen_ai_server_time_to_first_token_seconds_sum", labels))
                .isLessThanOrEqualTo(after.since(before, "gen_ai_client_operation_duration_seconds_sum", labels));
    }

    @Test
    void refusals_count_by_reason_rate_limits_included() {
        String key = tenantWithPolicy(
                "t_metrics_rpm",
                TenantConfigSnapshot.Policy.builder().requestsPerMinute(1L).build());
        Scrape before = scrape();

        assertThat(chat(key, "gpt-4o-mini")).isEqualTo(200);
        assertThat(chat(key, "gpt-4o-mini")).isEqualTo(429);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> scrape().since(before, "symbolon_edge_refusals_total", "reason", "rate_limited") == 1);
        assertThat(scrape().since(before, "symbolon_edge_requests_total", "outcome", "refused", "status", "4xx"))
                .isEqualTo(1);
    }

    @Test
    void the_feeds_and_the_usage_journal_have_their_meters() {
        Scrape scrape = scrape();
        for (String topic : List.of(Topics.TENANT_CONFIG, Topics.ALLOWANCE, Topics.PRICES)) {
            assertThat(scrape.value("symbolon_feed_caught_up", "topic", topic))
                    .as(topic)
                    .isEqualTo(1);
            assertThat(scrape.has("symbolon_feed_lag_records", "topic", topic))
                    .as(topic)
                    .isTrue();
        }
        assertThat(scrape.has("symbolon_edge_usage_journal_size_bytes")).isTrue();
        assertThat(scrape.has("symbolon_edge_usage_queue_events")).isTrue();
        assertThat(scrape.has("symbolon_edge_usage_dropped_total")).isTrue();
        assertThat(scrape.has("symbolon_edge_allowance_answers_total", "outcome", "granted"))
                .isTrue();
        assertThat(scrape.has("symbolon_edge_allowance_wait_seconds_count")).isTrue();
        // every meter says where it comes from
        assertThat(scrape.labelValues("symbolon_feed_caught_up", "application")).containsExactly("edge-proxy");
    }

    @Test
    void metrics_need_the_scrape_token_not_the_service_token_or_an_app_credential() {
        for (String token : List.of("", SERVICE_TOKEN, CREDENTIAL, SCRAPE_TOKEN + "x")) {
            assertThat(client.get()
                            .uri("/actuator/prometheus")
                            .header("Authorization", "Bearer " + token)
                            .exchange()
                            .returnResult(String.class)
                            .getStatus()
                            .value())
                    .as(token)
                    .isEqualTo(401);
        }
    }

    private Scrape scrape() {
        return Scrape.of(port, SCRAPE_TOKEN);
    }

    private int chat(String credential, String model) {
        return client.post()
                .uri("/openai/v1/chat/completions")
                .header("Authorization", "Bearer " + credential)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .exchange()
                .returnResult(String.class)
                .getStatus()
                .value();
    }

    private static String[] with(String[] labels, String... more) {
        String[] all = java.util.Arrays.copyOf(labels, labels.length + more.length);
        System.arraycopy(more, 0, all, labels.length, more.length);
        return all;
    }
}
