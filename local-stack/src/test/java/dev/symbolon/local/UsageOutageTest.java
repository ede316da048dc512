package dev.symbolon.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.local.LocalStack.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge keeps serving while Kafka is down, and loses no usage event: N requests made during the
 * outage go to its on-disk journal and reach analytics exactly once each when the broker is back.
 */
class UsageOutageTest {

    static final int DURING_OUTAGE = 20;
    static final String BODY = "{\"model\":\"demo-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path data;

    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void requests_during_a_kafka_outage_are_metered_exactly_once_after_it() throws Exception {
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        ch.qos.logback.classic.Logger publisherLog = null;
        try (LocalStack stack = startMetered()) {
            // attached once started: start-up configures logging afresh
            publisherLog = (ch.qos.logback.classic.Logger)
                    org.slf4j.LoggerFactory.getLogger("dev.symbolon.edge.usage.UsageEventPublisher");
            publisherLog.addAppender(logged);

            stack.stopKafka();
            List<String> requestIds = new ArrayList<>();
            for (int i = 0; i < DURING_OUTAGE; i++) {
                HttpResponse<String> response = edge(stack);
                assertThat(response.statusCode()).isEqualTo(200);
                requestIds.add(requestId(response));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> journalled(data.resolve("usage-journal")) == DURING_OUTAGE);
            // the line that says an event took the journal names, in its MDC, the request it meters
            assertThat(logged.list.stream()
                            .filter(e -> e.getFormattedMessage().contains("kept in the journal"))
                            .map(e -> e.getMDCPropertyMap().get("requestId"))
                            .toList())
                    .isNotEmpty()
                    .allMatch(requestIds::contains);

            stack.startKafka();

            await().atMost(Duration.ofSeconds(90)).until(() -> Metered.facts(stack, requestIds) == DURING_OUTAGE);
            assertThat(Metered.rows(stack, requestIds)).isEqualTo(DURING_OUTAGE);
            await().atMost(Duration.ofSeconds(30)).until(() -> journalled(data.resolve("usage-journal")) == 0);
        } finally {
            if (publisherLog != null) {
                publisherLog.detachAppender(logged);
            }
        }
    }

    @Test
    void a_broker_that_goes_away_again_mid_replay_still_leaves_every_request_metered_exactly_once() throws Exception {
        try (LocalStack stack = startMetered()) {

            stack.stopKafka();
            List<String> requestIds = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                requestIds.add(requestId(edge(stack)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> journalled(data.resolve("usage-journal")) == 300);

            // back, and away again as soon as the replay has delivered its first events
            stack.startKafka();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> Metered.facts(stack, requestIds) > 0);
            stack.stopKafka();
            long countedAtSecondOutage = Metered.facts(stack, requestIds);
            for (int i = 0; i < 20; i++) {
                requestIds.add(requestId(edge(stack)));
            }
            stack.startKafka();

            await().atMost(Duration.ofSeconds(120)).until(() -> Metered.facts(stack, requestIds) == 320);
            assertThat(Metered.rows(stack, requestIds))
                    .as("no request stored twice")
                    .isEqualTo(320);
            await().atMost(Duration.ofSeconds(30)).until(() -> journalled(data.resolve("usage-journal")) == 0);
            System.out.printf("second outage began with %d of 300 replayed events counted%n", countedAtSecondOutage);
        }
    }

    /** A stack whose edge gives up on the broker quickly (events take the journal path), warmed up. */
    private LocalStack startMetered() throws Exception {
        LocalStack stack = LocalStack.start(FreePorts.stack(
                data,
                Map.of(),
                Map.of(
                        Service.EDGE,
                        Map.of(
                                "SYMBOLON_USAGE_DELIVERY_TIMEOUT_MS", "3000",
                                "spring.kafka.producer.properties.request.timeout.ms", "1000"))));
        try {
            String warmUp = requestId(edge(stack));
            await().atMost(Duration.ofSeconds(30)).until(() -> Metered.facts(stack, List.of(warmUp)) == 1);
            return stack;
        } catch (Exception | AssertionError e) {
            stack.close();
            throw e;
        }
    }

    private HttpResponse<String> edge(LocalStack stack) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(stack.url(Service.EDGE) + "/compat/demo/v1/chat/completions"))
                        .header(
                                "Authorization",
                                "Bearer " + stack.demoCredential().reveal())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(BODY))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String requestId(HttpResponse<String> response) {
        return response.headers().firstValue("x-request-id").orElseThrow();
    }

    /** Events currently waiting in the edge's journal. */
    private static long journalled(Path journal) {
        if (!Files.isDirectory(journal)) {
            return 0;
        }
        try (Stream<Path> segments = Files.list(journal)) {
            long lines = 0;
            for (Path segment : segments.toList()) {
                lines += Files.readAllLines(segment).stream()
                        .filter(l -> !l.isBlank())
                        .count();
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
