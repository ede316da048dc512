package dev.symbolon.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.UsageRecorded;
import dev.symbolon.support.testing.RawHttp;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a misbehaving upstream or a hostile client tries against the edge's resources: streams that
 * never end or never stop growing, and bodies sent before the caller proved who it is.
 */
class HostileUpstreamTest extends EdgeContextTest {

    private static final String ENDLESS = "/compat/endless/v1/chat/completions";

    @Test
    void a_stream_that_never_ends_is_ended_at_the_policys_time_limit_in_band_and_metered() {
        stubKey("compat:endless", "sk-endless");
        String key = tenantWithPolicy("t_long_" + UUID.randomUUID().toString().substring(0, 8), streams(1L, null));
        int cancelledBefore = ENDLESS_CANCELLED.get();

        long started = System.nanoTime();
        RawHttp.Response response = RawHttp.send(
                port,
                "POST",
                ENDLESS,
                Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"),
                "{\"model\":\"m\",\"stream\":true}");
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(response.status()).isEqualTo(200);
        assertThat(tookMs).isBetween(900L, 5_000L);
        assertThat(response.body())
                .contains("\"x0\"")
                .contains("event: error")
                .contains("\"type\":\"stream_too_long\"")
                .contains("time limit (1 s)");
        await().atMost(Duration.ofSeconds(5)).until(() -> ENDLESS_CANCELLED.get() > cancelledBefore);
        UsageRecorded event = awaitUsage(response.header("x-request-id"));
        assertThat(event.streamed()).isTrue();
        assertThat(event.partial()).isTrue();
        assertThat(event.status()).isEqualTo(200);
    }

    @Test
    void a_stream_that_never_stops_growing_is_ended_at_the_policys_size_limit() {
        stubKey("compat:endless", "sk-endless");
        String key = tenantWithPolicy("t_big_" + UUID.randomUUID().toString().substring(0, 8), streams(null, 2_000L));

        RawHttp.Response response = RawHttp.send(
                port,
                "POST",
                ENDLESS,
                Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"),
                "{\"model\":\"m\",\"stream\":true}");

        assertThat(response.status()).isEqualTo(200);
        String delivered = response.body().substring(0, response.body().indexOf("event: error"));
        assertThat(delivered.length()).isLessThanOrEqualTo(2_000);
        assertThat(response.body()).contains("\"type\":\"stream_too_large\"");
        UsageRecorded event = awaitUsage(response.header("x-request-id"));
        assertThat(event.partial()).isTrue();
    }

    @Test
    void the_seed_route_refuses_a_caller_without_credentials_before_reading_its_body() {
        // 9 MB announced, none sent: the answer can only come from the headers
        RawHttp.Response response = RawHttp.send(
                port,
                "POST",
                "/api/openai/proxy",
                Map.of("Content-Type", "application/json", "Content-Length", "9000000"),
                null);
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body()).contains("\"type\":\"invalid_credential\"");
    }

    @Test
    void garbage_sent_to_the_revocation_route_is_a_400_that_names_what_was_wrong() {
        RawHttp.Response badType = RawHttp.send(
                port,
                "POST",
                "/auth/revoke",
                Map.of("Authorization", "Bearer " + CREDENTIAL, "Content-Type", "no/such;;type=="),
                "token=abc");
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.body()).contains("\"type\":\"invalid_content_type\"").contains("requestId");

        RawHttp.Response garbage = RawHttp.send(
                port,
                "POST",
                "/auth/revoke",
                Map.of("Authorization", "Bearer " + CREDENTIAL, "Content-Type", "application/json"),
                "\u0000\u0001{{{not json");
        assertThat(garbage.status()).isEqualTo(200);
        assertThat(garbage.body()).contains("\"revoked\":false");
    }

    private static TenantConfigSnapshot.Policy streams(Long seconds, Long bytes) {
        return TenantConfigSnapshot.Policy.builder()
                .maxStreamSeconds(seconds)
                .maxStreamBytes(bytes)
                .build();
    }
}
