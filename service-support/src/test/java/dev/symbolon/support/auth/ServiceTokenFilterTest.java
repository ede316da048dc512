package dev.symbolon.support.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.Secret;
import dev.symbolon.support.testing.RawHttp;
import dev.symbolon.support.testing.RouteWalk;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@SpringBootTest(
        classes = ServiceTokenFilterTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.main.banner-mode=off",
            "spring.kafka.admin.auto-create=false",
            "spring.application.name=support-test",
            "symbolon.web.blocking-threads=2",
            "symbolon.metrics.token=" + ServiceTokenFilterTest.SCRAPE_TOKEN
        })
class ServiceTokenFilterTest {

    static final String CANARY = "sk-canary-internal-0123456789";
    static final String TOKEN = "service-token-for-tests";
    static final String SCRAPE_TOKEN = "scrape-token-for-tests";

    @SpringBootApplication
    static class App {
        @Bean
        ServiceToken serviceToken() {
            return new ServiceToken(Secret.of(TOKEN));
        }

        @RestController
        static class Routes {
            @GetMapping("/internal/v1/server-keys/{provider}")
            String key(@PathVariable String provider) {
                return CANARY;
            }

            @GetMapping("/internal")
            String root() {
                return CANARY;
            }

            @GetMapping("/public/info")
            String info() {
                return "public";
            }

            @GetMapping("/public/thread")
            String thread() {
                return Thread.currentThread().getName();
            }

            @GetMapping("/public/log-context")
            String logContext() {
                org.slf4j.LoggerFactory.getLogger("test.log-context").info("a line of the request");
                return org.slf4j.MDC.get("requestId") + " " + org.slf4j.MDC.get("traceId");
            }
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void internalRoutesAnswerOnlyTheServiceToken() {
        assertThat(get("/internal/v1/server-keys/openai", Map.of()).status()).isEqualTo(401);
        assertThat(get("/internal", Map.of()).status()).isEqualTo(401);
        assertThat(get("/internal/v1/server-keys/openai", Map.of("Authorization", "Bearer wrong"))
                        .status())
                .isEqualTo(401);
        assertThat(get("/internal/v1/server-keys/openai", Map.of("Authorization", TOKEN))
                        .status())
                .isEqualTo(401);
        RawHttp.Response ok = get("/internal/v1/server-keys/openai", Map.of("Authorization", "bearer " + TOKEN));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(CANARY);
    }

    @Test
    void servicesListenOnLoopbackAndExposeOnlyHealthUnlessTheyAreToldOtherwise() {
        assertThat(context.getEnvironment().getProperty("server.address")).isEqualTo("127.0.0.1");
        assertThat(context.getEnvironment().getProperty("management.endpoints.web.exposure.include"))
                .isEqualTo("health,prometheus");
        assertThat(context.getEnvironment().getProperty("springdoc.api-docs.enabled"))
                .isEqualTo("false");
    }

    @Test
    void metrics_answer_only_the_scrape_token_and_the_service_token_does_not_open_them() {
        assertThat(get("/actuator/prometheus", Map.of()).status()).isEqualTo(401);
        assertThat(get("/actuator/prometheus", Map.of("Authorization", "Bearer " + TOKEN))
                        .status())
                .isEqualTo(401);
        assertThat(get("/internal", Map.of("Authorization", "Bearer " + SCRAPE_TOKEN))
                        .status())
                .isEqualTo(401);
        RawHttp.Response refused = get("/actuator/prometheus", Map.of("Authorization", "Bearer wrong"));
        assertThat(refused.body()).contains("\"type\":\"unauthorized\"").contains("scrape token");

        RawHttp.Response scraped = get("/actuator/prometheus", Map.of("Authorization", "Bearer " + SCRAPE_TOKEN));
        assertThat(scraped.status()).isEqualTo(200);
        assertThat(scraped.header("content-type")).startsWith("text/plain");
        // every meter says which service it comes from
        assertThat(scraped.body()).contains("jvm_threads_live_threads{application=\"support-test\"}");
        // the health probes stay public, and readiness names its components (without details)
        RawHttp.Response ready = get("/actuator/health/readiness", Map.of());
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()).contains("\"components\"").doesNotContain("details");
        assertThat(get("/actuator/health", Map.of()).body()).doesNotContain("components");
    }

    @Test
    void without_a_scrape_token_no_actuator_endpoint_but_health_exists_for_anyone() {
        MetricsAccessFilter closed = new MetricsAccessFilter(Secret.of(""));
        for (String path : List.of("/actuator/prometheus", "/actuator", "/actuator/env", "/actuator/healthx")) {
            var exchange = org.springframework.mock.web.server.MockServerWebExchange.from(
                    org.springframework.mock.http.server.reactive.MockServerHttpRequest.get(path)
                            .header("Authorization", "Bearer "));
            closed.filter(exchange, e -> reactor.core.publisher.Mono.error(new AssertionError(path + " passed")))
                    .block();
            assertThat(exchange.getResponse().getStatusCode().value()).as(path).isEqualTo(404);
        }
        var health = org.springframework.mock.web.server.MockServerWebExchange.from(
                org.springframework.mock.http.server.reactive.MockServerHttpRequest.get("/actuator/health/readiness"));
        boolean[] passed = {false};
        closed.filter(health, e -> {
                    passed[0] = true;
                    return reactor.core.publisher.Mono.empty();
                })
                .block();
        assertThat(passed[0]).isTrue();
    }

    @Test
    void theRefusalHasTheOneErrorShape() {
        RawHttp.Response refused = get("/internal/v1/server-keys/openai", Map.of());
        assertThat(refused.header("content-type")).startsWith("application/json");
        assertThat(refused.header("www-authenticate")).isEqualTo("Bearer");
        assertThat(refused.body())
                .contains("\"type\":\"unauthorized\"")
                .contains("\"message\":\"A valid service token is required.\"")
                .contains("\"requestId\":\"" + refused.header("x-request-id") + "\"");
    }

    @Test
    void everyRouteOfTheAppIsWalkedAndNoHostileSpellingGetsPastTheFilter() {
        List<RouteWalk.Route> routes = RouteWalk.routes(context);
        assertThat(routes)
                .extracting(RouteWalk.Route::path)
                .contains("/internal/v1/server-keys/x1", "/internal", "/public/info");
        for (RouteWalk.Route route : routes) {
            for (String variant : RouteWalk.nonCanonical(route.path())) {
                RawHttp.Response response = RawHttp.send(port, route.method().name(), variant, Map.of(), null);
                RouteWalk.assertRefusedAsNonCanonical(variant, response);
                assertThat(response.body()).as(variant).doesNotContain(CANARY);
            }
            for (String variant : RouteWalk.lookAlikes(route.path())) {
                RawHttp.Response response = RawHttp.send(port, route.method().name(), variant, Map.of(), null);
                // the health probe is public, and so are its trailing-slash and case look-alikes' 404s
                if (route.path().startsWith("/actuator/health")) {
                    assertThat(response.status()).as(variant).isIn(200, 404);
                } else {
                    assertThat(response.status()).as(variant).isIn(401, 404);
                }
                assertThat(response.body()).as(variant).doesNotContain(CANARY);
            }
        }
    }

    private RawHttp.Response get(String path, Map<String, String> headers) {
        return RawHttp.send(port, "GET", path, headers, null);
    }

    @Test
    void a_blocking_controllers_log_lines_carry_the_requests_id_and_no_other_requests() throws Exception {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 5; i++) {
            RawHttp.Response response = RawHttp.get(port, "/public/log-context");
            assertThat(response.status()).isEqualTo(200);
            String[] mdc = response.body().split(" ");
            assertThat(mdc[0]).isNotEqualTo("null");
            assertThat(mdc[1]).as("tracing is off here").isEqualTo("null");
            ids.add(mdc[0]);
        }
        assertThat(ids).as("each request its own id").hasSize(5);
        // and nothing stays behind on the pool's threads
        RawHttp.Response thread = RawHttp.get(port, "/public/thread");
        assertThat(thread.status()).isEqualTo(200);
    }

    @Test
    void a_blocking_controller_runs_off_the_event_loop_on_the_services_bounded_pool() throws Exception {
        RawHttp.Response response = RawHttp.get(port, "/public/thread");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).startsWith("support-test-web-");
    }
}
