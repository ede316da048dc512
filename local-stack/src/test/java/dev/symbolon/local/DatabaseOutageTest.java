package dev.symbolon.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.local.LocalStack.Service;
import dev.symbolon.support.testing.RawHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away under a running stack: the edge keeps serving (it never touches the
 * database), analytics and the dispatcher answer 503 instead of stale or partial numbers, usage
 * consumers pause without committing and dead-letter nothing, and after the database is back every
 * request of the outage is stored exactly once.
 */
class DatabaseOutageTest {

    static final int DURING_OUTAGE = 10;
    static final String BODY = "{\"model\":\"demo-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path data;

    @Test
    void a_database_outage_pauses_metering_without_losing_or_doubling_a_request() throws Exception {
        try (LocalStack stack = LocalStack.start(FreePorts.stack(data, Map.of(), Map.of()))) {
            String warmUp = chat(stack).header("x-request-id");
            await().atMost(Duration.ofSeconds(30)).until(() -> Metered.facts(stack, List.of(warmUp)) == 1);
            long deadBefore = deadLetters(stack);

            stack.stopPostgres();
            List<String> requestIds = new ArrayList<>();
            for (int i = 0; i < DURING_OUTAGE; i++) {
                RawHttp.Response response = chat(stack);
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                requestIds.add(response.header("x-request-id"));
            }
            Map<String, String> admin =
                    Map.of("Authorization", "Bearer " + stack.adminToken().reveal());
            RawHttp.Response usage = RawHttp.send(
                    stack.port(Service.ANALYTICS),
                    "GET",
                    "/analytics/usage?tenantId=" + stack.demoTenantId(),
                    admin,
                    null);
            assertThat(usage.status()).as(usage.body()).isEqualTo(503);
            assertThat(usage.body())
                    .contains("\"type\":\"database_unavailable\"")
                    .contains("requestId");
            RawHttp.Response deliveries = RawHttp.send(
                    stack.port(Service.DISPATCHER),
                    "GET",
                    "/webhooks/tenants/" + stack.demoTenantId() + "/deliveries",
                    admin,
                    null);
            assertThat(deliveries.status()).as(deliveries.body()).isEqualTo(503);

            stack.startPostgres();

            await().atMost(Duration.ofSeconds(90)).until(() -> Metered.facts(stack, requestIds) == DURING_OUTAGE);
            assertThat(Metered.rows(stack, requestIds))
                    .as("no request stored twice")
                    .isEqualTo(DURING_OUTAGE);
            assertThat(deadLetters(stack)).as("an outage dead-letters nothing").isEqualTo(deadBefore);
            RawHttp.Response after = RawHttp.send(
                    stack.port(Service.ANALYTICS),
                    "GET",
                    "/analytics/usage?tenantId=" + stack.demoTenantId(),
                    admin,
                    null);
            assertThat(after.status()).isEqualTo(200);
        }
    }

    private static RawHttp.Response chat(LocalStack stack) {
        return RawHttp.send(
                stack.port(Service.EDGE),
                "POST",
                "/compat/demo/v1/chat/completions",
                Map.of(
                        "Authorization",
                        "Bearer " + stack.demoCredential().reveal(),
                        "Content-Type",
                        "application/json"),
                BODY);
    }

    /** Records on usage-recorded.v1.dlt. */
    private static long deadLetters(LocalStack stack) {
        java.util.Properties config = new java.util.Properties();
        config.put("bootstrap.servers", stack.kafkaBootstrapServers());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                config,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor("usage-recorded.v1.dlt").stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
                    .toList();
            return consumer.endOffsets(partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }
}
