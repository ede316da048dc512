package dev.symbolon.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.symbolon.local.LocalStack.Service;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three edges in one stack, as three replicas behind a load balancer, with the real analytics granting
 * them quota allowances over the real broker: a tenant's quota holds across all three, with nothing
 * remote on any request's path.
 */
class ReplicasTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String OPENAI_KEY = "sk-canary-replicas-" + UUID.randomUUID();
    static final String BODY =
            "{\"model\":\"gpt-4o-mini\",\"max_tokens\":10," + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    static Path data;

    static WireMockServer openai;
    static LocalStack stack;
    static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @org.junit.jupiter.api.extension.RegisterExtension
    static final StallReport stalls = StallReport.of(() -> stack);

    @BeforeAll
    static void start() {
        openai = new WireMockServer(options().dynamicPort().containerThreads(80));
        openai.start();
        // A slow provider: the first requests are still in flight while the others arrive.
        openai.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withFixedDelay(200)
                        .withBody("{\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[],"
                                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":10}}")));
        stack = LocalStack.start(FreePorts.stack(
                        data,
                        Map.of(),
                        Map.of(
                                Service.EDGE,
                                Map.of("symbolon.edge.providers.openai.base-url", openai.baseUrl() + "/v1"),
                                Service.KEY_VAULT,
                                Map.of("symbolon.key-vault.server-keys.openai.api-key", OPENAI_KEY)))
                .withEdges(3));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (openai != null) {
            openai.stop();
        }
    }

    @Test
    void sixty_concurrent_requests_over_three_edges_against_a_daily_quota_of_ten_let_exactly_ten_through() {
        String key = tenantWithPolicy("{\"requestsPerDay\":10}");
        int before = openai.countRequestsMatching(
                        postRequestedFor(urlEqualTo("/v1/chat/completions")).build())
                .getCount();

        List<dev.symbolon.support.testing.Scrape> scrapedBefore = scrapes();
        List<Integer> statuses = concurrently(60, key);
        List<dev.symbolon.support.testing.Scrape> after = scrapes();
        double waits = 0;
        double waited = 0;
        for (int edge = 0; edge < 3; edge++) {
            waits += after.get(edge).since(scrapedBefore.get(edge), "symbolon_edge_allowance_wait_seconds_count");
            waited += after.get(edge).since(scrapedBefore.get(edge), "symbolon_edge_allowance_wait_seconds_sum");
        }
        System.out.printf(
                "requests quota over 3 edges: %.0f of 60 requests waited for an allowance, %.1f ms on average%n",
                waits, waits == 0 ? 0 : 1000 * waited / waits);
        assertThat(waits).as("requests that waited for analytics' answer").isPositive();

        assertThat(statuses).filteredOn(status -> status == 200).hasSize(10);
        assertThat(statuses).filteredOn(status -> status == 429).hasSize(50);
        assertThat(openai.countRequestsMatching(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                                        .build())
                                .getCount()
                        - before)
                .as("requests that reached the provider")
                .isEqualTo(10);
    }

    /**
     * Far from exhaustion an edge asks for more before it runs out: a request waits only for its edge's
     * first answer for the tenant (one round trip to analytics), never for a renewal.
     */
    @Test
    void far_from_its_limit_a_quota_costs_a_wait_only_on_each_edges_first_request() {
        String key = tenantWithPolicy("{\"requestsPerDay\":100000}");
        List<dev.symbolon.support.testing.Scrape> cold = scrapes();
        assertThat(concurrently(3, key)).containsOnly(200); // each edge's first ask
        List<dev.symbolon.support.testing.Scrape> warm = scrapes();
        List<Integer> statuses = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            statuses.addAll(concurrently(15, key));
        }
        List<dev.symbolon.support.testing.Scrape> after = scrapes();
        double firstWaited = 0;
        double waits = 0;
        double answers = 0;
        for (int edge = 0; edge < 3; edge++) {
            firstWaited += warm.get(edge).since(cold.get(edge), "symbolon_edge_allowance_wait_seconds_sum");
            waits += after.get(edge).since(warm.get(edge), "symbolon_edge_allowance_wait_seconds_count");
            answers += after.get(edge)
                    .since(cold.get(edge), "symbolon_edge_allowance_answers_total", "outcome", "granted");
        }
        System.out.printf(
                "requests quota of 100000 over 3 edges: first request per edge waited %.1f ms on average;"
                        + " then 300 requests, %.0f waited; %.0f answers in all%n",
                1000 * firstWaited / 3, waits, answers);
        assertThat(statuses).containsOnly(200);
        assertThat(waits)
                .as("requests that waited once each edge had its first answer")
                .isZero();
    }

    @Test
    void a_cost_quota_holds_across_three_edges_to_within_one_requests_worst_case() throws Exception {
        // gpt-4o-mini: $0.15 in, $0.60 out per million. Each request's worst case is its prompt's
        // estimate plus 10 output tokens; it costs 5 in and 10 out: $0.00000675.
        String key = tenantWithPolicy("{\"costPerDayUsd\":0.0001}");
        String tenant = tenantOf(key);

        List<Integer> statuses = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            statuses.addAll(concurrently(15, key));
        }

        long admitted = statuses.stream().filter(status -> status == 200).count();
        assertThat(statuses).filteredOn(status -> status == 429).isNotEmpty();
        BigDecimal spent = await().atMost(Duration.ofSeconds(20)).until(() -> spent(tenant), s -> s.signum() > 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> requests(tenant) == admitted);
        spent = spent(tenant);
        System.out.printf("cost quota $0.0001 over 3 edges: %d admitted, $%s spent%n", admitted, spent);
        assertThat(spent).isLessThanOrEqualTo(new BigDecimal("0.0001"));
        assertThat(spent).isEqualByComparingTo(new BigDecimal("0.00000675").multiply(BigDecimal.valueOf(admitted)));
    }

    private static List<dev.symbolon.support.testing.Scrape> scrapes() {
        List<dev.symbolon.support.testing.Scrape> scrapes = new ArrayList<>();
        for (int edge = 0; edge < 3; edge++) {
            scrapes.add(dev.symbolon.support.testing.Scrape.of(
                    stack.edgePort(edge), stack.metricsToken().reveal()));
        }
        return scrapes;
    }

    private static String tenantWithPolicy(String policy) {
        String tenantId = admin(
                        "POST",
                        "/admin/tenants",
                        "{\"name\":\"Replica Co " + UUID.randomUUID() + "\",\"timeZone\":\"UTC\",\"plan\":\"pro\"}")
                .path("tenantId")
                .asString();
        // the policy first: the snapshot that brings the credential to the edges brings it too
        admin("PUT", "/admin/tenants/" + tenantId + "/policy", policy);
        String appId = admin("POST", "/admin/tenants/" + tenantId + "/apps", "{\"name\":\"replicated app\"}")
                .path("appId")
                .asString();
        String key = admin("POST", "/admin/tenants/" + tenantId + "/apps/" + appId + "/credentials", "{}")
                .path("key")
                .asString();
        tenants.put(key, tenantId);
        // every edge knows the credential and the policy before the test starts
        for (int edge = 0; edge < 3; edge++) {
            int index = edge;
            await().atMost(Duration.ofSeconds(10)).until(() -> knows(index, key));
        }
        return key;
    }

    static final Map<String, String> tenants = new java.util.concurrent.ConcurrentHashMap<>();

    private static String tenantOf(String key) {
        return tenants.get(key);
    }

    /** Whether an edge knows the credential: it reads the app's own usage, which counts no quota. */
    private static boolean knows(int edge, String key) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(stack.edgeUrl(edge) + "/analytics/my-stats"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() != 401;
    }

    /** Statuses of n chat requests sent at once, spread over the three edges in turn. */
    private static List<Integer> concurrently(int n, String key) {
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(http.sendAsync(
                    HttpRequest.newBuilder(URI.create(stack.edgeUrl(i % 3) + "/openai/v1/chat/completions"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(BODY))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        return sent.stream().map(f -> f.join().statusCode()).toList();
    }

    private static JsonNode admin(String method, String path, String body) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(stack.url(Service.ADMIN) + path))
                            .timeout(Duration.ofSeconds(30))
                            .header(
                                    "Authorization",
                                    "Bearer " + stack.adminToken().reveal())
                            .header("Content-Type", "application/json")
                            .method(method, HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isBetween(200, 204);
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigDecimal spent(String tenant) throws Exception {
        try (Connection db = DriverManager.getConnection(stack.postgresJdbcUrl(), "postgres", "");
                PreparedStatement query = db.prepareStatement(
                        "select coalesce(sum(cost_usd), 0) from analytics.usage_fact where tenant_id = ?")) {
            query.setString(1, tenant);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1);
            }
        }
    }

    private static long requests(String tenant) throws Exception {
        try (Connection db = DriverManager.getConnection(stack.postgresJdbcUrl(), "postgres", "");
                PreparedStatement query = db.prepareStatement(
                        "select count(*) from analytics.usage_fact where tenant_id = ? and status = 200")) {
            query.setString(1, tenant);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
