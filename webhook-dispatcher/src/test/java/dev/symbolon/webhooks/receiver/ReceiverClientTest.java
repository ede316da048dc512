package dev.symbolon.webhooks.receiver;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.symbolon.contracts.TargetGuard;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The receiver as the dispatcher reaches it, against a real HTTP server. */
class ReceiverClientTest {

    static final WireMockServer receiver = new WireMockServer(options().dynamicPort());
    static final byte[] PAYLOAD = "{\"type\":\"quota.threshold\"}".getBytes(StandardCharsets.UTF_8);

    final ReceiverClient loopbackAllowed = new ReceiverClient(true, false, Duration.ofMillis(800));

    @BeforeAll
    static void start() {
        receiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.stop();
    }

    @Test
    void posts_the_payload_as_json_with_the_given_headers_and_reads_the_status() throws Exception {
        receiver.stubFor(post("/ok").willReturn(aResponse().withStatus(204)));

        ReceiverClient.Answer answer = loopbackAllowed
                .post(loopbackAllowed.check(url("/ok")), Map.of("webhook-id", "msg_1"), PAYLOAD)
                .block();

        assertThat(answer.status()).isEqualTo(204);
        assertThat(answer.retryAfter()).isNull();
        receiver.verify(postRequestedFor(urlEqualTo("/ok"))
                .withHeader("content-type", equalTo("application/json"))
                .withHeader("user-agent", equalTo("Symbolon-Webhooks/1"))
                .withHeader("webhook-id", equalTo("msg_1"))
                .withRequestBody(equalTo(new String(PAYLOAD, StandardCharsets.UTF_8))));
    }

    @Test
    void a_redirect_is_an_answer_not_followed() throws Exception {
        receiver.stubFor(
                post("/moved").willReturn(aResponse().withStatus(307).withHeader("location", url("/elsewhere"))));

        ReceiverClient.Answer answer = loopbackAllowed
                .post(loopbackAllowed.check(url("/moved")), Map.of(), PAYLOAD)
                .block();

        assertThat(answer.status()).isEqualTo(307);
        receiver.verify(0, postRequestedFor(urlEqualTo("/elsewhere")));
    }

    @Test
    void the_receivers_retry_after_is_read() throws Exception {
        receiver.stubFor(post("/busy").willReturn(aResponse().withStatus(503).withHeader("retry-after", "120")));

        ReceiverClient.Answer answer = loopbackAllowed
                .post(loopbackAllowed.check(url("/busy")), Map.of(), PAYLOAD)
                .block();

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.retryAfter()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void a_receiver_that_stalls_times_out_and_says_so_in_one_line() throws Exception {
        receiver.stubFor(post("/stall").willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));

        String outcome = loopbackAllowed
                .post(loopbackAllowed.check(url("/stall")), Map.of(), PAYLOAD)
                .map(answer -> "answered " + answer.status())
                .onErrorResume(e -> Mono.just(ReceiverClient.describe(e)))
                .block(Duration.ofSeconds(4));

        assertThat(outcome).isEqualTo("timed out");
    }

    @Test
    void loopback_and_plain_http_are_refused_before_any_connection_when_not_allowed() {
        ReceiverClient production = new ReceiverClient(false, true, Duration.ofSeconds(1));

        assertThatThrownBy(() -> production.check(url("/ok")))
                .isInstanceOf(TargetGuard.Refused.class)
                .satisfies(e -> assertThat(ReceiverClient.describe(e)).startsWith("target refused: "));
        assertThatThrownBy(() -> new ReceiverClient(false, false, Duration.ofSeconds(1)).check("http://127.0.0.1/x"))
                .isInstanceOf(TargetGuard.Refused.class);
        assertThatThrownBy(() -> new ReceiverClient(false, false, Duration.ofSeconds(1))
                        .check("http://169.254.169.254/latest/meta-data"))
                .isInstanceOf(TargetGuard.Refused.class);
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + receiver.port() + path;
    }
}
