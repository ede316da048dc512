package dev.symbolon.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.symbolon.edge.EdgeProxyApplication;
import dev.symbolon.local.LocalStack.Service;
import java.io.IOException;
import java.io.Reader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code ./symbolon-local --without=edge,analytics,dispatcher}: the stack starts without them and
 * leaves each one's settings in a file, and an edge started on its own from that file serves the demo
 * app through the stack's Kafka, admin-api and key-vault-service (how bench/run.sh runs the edge).
 */
class PartialStackTest {

    @TempDir
    Path data;

    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void a_left_out_edge_runs_beside_the_stack_from_the_settings_file() throws Exception {
        int analyticsPort = FreePorts.next();
        LocalStack.Options options = FreePorts.stack(data, Map.of(Service.ANALYTICS, analyticsPort), Map.of())
                .without(Set.of(Service.EDGE, Service.ANALYTICS, Service.DISPATCHER));
        try (LocalStack stack = LocalStack.start(options)) {
            assertThat(stack.started(Service.ADMIN)).isTrue();
            assertThat(stack.started(Service.KEY_VAULT)).isTrue();
            assertThat(stack.started(Service.EDGE)).isFalse();
            assertThat(stack.started(Service.ANALYTICS)).isFalse();
            assertThatThrownBy(() -> status(stack.url(Service.ANALYTICS) + "/actuator/health"))
                    .isInstanceOf(ConnectException.class);

            Path settings = stack.settingsFile(Service.EDGE);
            assertThat(Files.getPosixFilePermissions(settings)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            Properties edgeSettings = new Properties();
            try (Reader in = Files.newBufferedReader(settings)) {
                edgeSettings.load(in);
            }
            assertThat(edgeSettings.getProperty("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(stack.kafkaBootstrapServers());
            assertThat(edgeSettings.getProperty("KEY_VAULT_URL")).isEqualTo(stack.url(Service.KEY_VAULT));
            assertThat(edgeSettings.getProperty("ANALYTICS_URL")).endsWith(":" + analyticsPort);
            assertThat(Files.exists(stack.settingsFile(Service.DISPATCHER))).isTrue();
            assertThat(Files.exists(stack.settingsFile(Service.ADMIN))).isFalse();

            try (ConfigurableApplicationContext edge = EdgeProxyApplication.builder()
                    .registerShutdownHook(false)
                    .run("--spring.config.additional-location=file:" + settings)) {
                String base = "http://localhost:"
                        + ((WebServerApplicationContext) edge).getWebServer().getPort();
                // Ready once it has read tenant-config.v1 from the stack's broker.
                await().atMost(Duration.ofSeconds(30)).until(() -> status(base + "/actuator/health/readiness") == 200);
                HttpResponse<String> answer = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/compat/demo/v1/chat/completions"))
                                .header(
                                        "Authorization",
                                        "Bearer " + stack.demoCredential().reveal())
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"demo-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).contains("chat.completion");
                assertThat(answer.headers().firstValue("x-request-id")).isPresent();
            }
        }
    }

    @Test
    void services_left_out_are_named_by_module_or_short_name_and_must_be_optional() {
        assertThat(SymbolonLocal.services("edge,usage-analytics-service"))
                .contains(Set.of(Service.EDGE, Service.ANALYTICS));
        assertThat(SymbolonLocal.services("dispatcher,analytics"))
                .contains(Set.of(Service.DISPATCHER, Service.ANALYTICS));
        assertThat(SymbolonLocal.services("webhook")).isEmpty();
        assertThat(SymbolonLocal.services("admin")).isEmpty();
        assertThat(SymbolonLocal.services("edge,")).isEmpty();
        assertThat(SymbolonLocal.services("nonsense")).isEmpty();
    }

    private int status(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
