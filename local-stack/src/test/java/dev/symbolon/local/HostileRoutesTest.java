package dev.symbolon.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.local.LocalStack.Service;
import dev.symbolon.support.testing.RawHttp;
import dev.symbolon.support.testing.RouteWalk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route of every service, read from its handler mappings (so a route added later is walked
 * too), asked without a credential as written and in every hostile spelling a lenient router could
 * still match: encoded letters, double encoding, {@code ;} parameters, dot segments plain, encoded and
 * overlong, escaped slashes, case and trailing-slash look-alikes. Over raw sockets, so no client
 * library normalizes the path first.
 */
class HostileRoutesTest {

    /** Routes anyone may call: health probes and admin-api's public key set and API document. */
    private static final Set<String> PUBLIC = Set.of(
            "GET /actuator/health",
            "GET /actuator/health/x1",
            "GET /admin/.well-known/jwks.json",
            "GET /admin/openapi.json");

    static LocalStack stack;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final StallReport stalls = StallReport.of(() -> stack);

    @BeforeAll
    static void start() throws Exception {
        Path data = Files.createTempDirectory("symbolon-hostile-");
        stack = LocalStack.start(FreePorts.stack(data, Map.of(), Map.of()));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void no_route_of_any_service_answers_without_its_credential_however_its_path_is_spelled() {
        List<String> canaries = List.of(
                stack.demoProviderKey().reveal(),
                stack.serviceToken().reveal(),
                stack.adminToken().reveal(),
                stack.demoCredential().reveal());
        List<String> failures = new ArrayList<>();
        int walked = 0;
        for (Service service : Service.values()) {
            int port = stack.port(service);
            List<RouteWalk.Route> routes = RouteWalk.routes(stack.context(service));
            assertThat(routes).as(service.moduleName()).isNotEmpty();
            for (RouteWalk.Route route : routes) {
                walked++;
                String method = route.method().name();
                // No body: every refusal must come from the headers alone (a body would only be left unread).
                String body = null;
                RawHttp.Response plain = RawHttp.send(port, method, route.path(), Map.of(), body);
                boolean isPublic = PUBLIC.contains(route.toString());
                // a public route with a variable (a health group) may not exist: 404
                if (isPublic ? !Set.of(200, 404).contains(plain.status()) : !expectedRefusal(route, plain.status())) {
                    failures.add(service.moduleName() + " " + route + " answered " + plain.status());
                }
                noCanary(canaries, route + " " + plain.body(), failures);
                if (!isPublic) {
                    // a 9 MB body announced and never sent: the refusal must come from the headers
                    // alone (a route that read the body first would wait here until the socket times out)
                    RawHttp.Response announced =
                            RawHttp.send(port, method, route.path(), Map.of("Content-Length", "9000000"), null);
                    if (!expectedRefusal(route, announced.status())) {
                        failures.add(service.moduleName() + " " + route + " with a body announced answered "
                                + announced.status());
                    }
                }
                for (String variant : RouteWalk.nonCanonical(route.path())) {
                    RawHttp.Response response = RawHttp.send(port, method, variant, Map.of(), body);
                    try {
                        RouteWalk.assertRefusedAsNonCanonical(variant, response);
                    } catch (AssertionError e) {
                        failures.add(
                                service.moduleName() + " " + method + " " + variant + " answered " + response.status());
                    }
                    noCanary(canaries, variant + " " + response.body(), failures);
                }
                for (String variant : RouteWalk.lookAlikes(route.path())) {
                    RawHttp.Response response = RawHttp.send(port, method, variant, Map.of(), body);
                    if (!Set.of(401, 404, 405).contains(response.status()) && !(isPublic && response.status() == 200)) {
                        failures.add(
                                service.moduleName() + " " + method + " " + variant + " answered " + response.status());
                    }
                    noCanary(canaries, variant + " " + response.body(), failures);
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(walked).isGreaterThan(80);
    }

    @Test
    void no_service_serves_generated_api_documents_or_actuator_endpoints_beyond_health() {
        for (Service service : Service.values()) {
            int port = stack.port(service);
            for (String path : List.of(
                    "/v3/api-docs",
                    "/v3/api-docs/swagger-config",
                    "/swagger-ui.html",
                    "/actuator",
                    "/actuator/info",
                    "/actuator/env",
                    "/actuator/beans",
                    "/actuator/mappings",
                    "/actuator/configprops",
                    "/actuator/heapdump")) {
                assertThat(RawHttp.get(port, path).status())
                        .as(service.moduleName() + " " + path)
                        .isIn(401, 404);
            }
            RawHttp.Response health = RawHttp.get(port, "/actuator/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"").doesNotContain("components", "details");
        }
        RawHttp.Response document = RawHttp.get(stack.port(Service.ADMIN), "/admin/openapi.json");
        assertThat(document.status()).isEqualTo(200);
        assertThat(document.body()).contains("/admin/tenants").doesNotContain("/internal/");
    }

    @Test
    void bad_input_gets_the_one_error_shape_naming_what_was_wrong_and_no_stack_trace_anywhere() {
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        String admin = "Bearer " + stack.adminToken().reveal();
        String service = "Bearer " + stack.serviceToken().reveal();
        try {
            // an unknown path never echoes the request line (its query could carry anything)
            for (Service each : Service.values()) {
                RawHttp.Response unknown = RawHttp.get(stack.port(each), "/no/such/route?token=canary-in-the-query");
                assertThat(unknown.status()).as(each.moduleName()).isIn(401, 404);
                assertErrorShape(each + " unknown path", unknown);
                assertThat(unknown.body()).doesNotContain("canary-in-the-query").doesNotContain("/no/such");
            }
            RawHttp.Response badDate = RawHttp.send(
                    stack.port(Service.ANALYTICS),
                    "GET",
                    "/analytics/usage?tenantId=" + stack.demoTenantId() + "&from=yesterday",
                    Map.of("Authorization", admin),
                    null);
            assertThat(badDate.status()).isEqualTo(400);
            assertErrorShape("analytics bad parameter", badDate);
            assertThat(badDate.body()).contains("'from'");

            RawHttp.Response missing = RawHttp.send(
                    stack.port(Service.ANALYTICS), "GET", "/analytics/usage", Map.of("Authorization", admin), null);
            assertThat(missing.status()).isIn(400, 404);
            assertErrorShape("analytics missing parameter", missing);

            RawHttp.Response badType = RawHttp.send(
                    stack.port(Service.ADMIN),
                    "POST",
                    "/admin/tenants",
                    Map.of("Authorization", admin, "Content-Type", "no/such;;type=="),
                    "{}");
            assertThat(badType.status()).isIn(400, 415);
            assertErrorShape("admin bad content type", badType);

            RawHttp.Response badJson = RawHttp.send(
                    stack.port(Service.KEY_VAULT),
                    "POST",
                    "/internal/v1/server-keys",
                    Map.of("Authorization", service, "Content-Type", "application/json"),
                    "{\"provider\": \"openai\", \"apiKey\": \"sk-canary-in-a-broken-body");
            assertThat(badJson.status()).isEqualTo(400);
            assertErrorShape("key-vault broken body", badJson);
            assertThat(badJson.body()).doesNotContain("sk-canary-in-a-broken-body");

            RawHttp.Response edgeType = RawHttp.send(
                    stack.port(Service.EDGE),
                    "POST",
                    "/openai/v1/chat/completions",
                    Map.of(
                            "Authorization",
                            "Bearer " + stack.demoCredential().reveal(),
                            "Content-Type",
                            "no/such;;type=="),
                    "{}");
            assertThat(edgeType.status()).isEqualTo(400);
            assertErrorShape("edge bad content type", edgeType);
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list)
                .as("a client's mistake is answered, not logged as an error or with a stack trace")
                .noneMatch(event ->
                        event.getLevel() == ch.qos.logback.classic.Level.ERROR || event.getThrowableProxy() != null);
        assertThat(logged.list).noneMatch(event -> event.getFormattedMessage().contains("sk-canary-in-a-broken-body"));
    }

    private static void assertErrorShape(String what, RawHttp.Response response) {
        tools.jackson.databind.JsonNode error = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(response.body())
                .path("error");
        assertThat(error.path("type").asString())
                .as(what + ": " + response.body())
                .isNotBlank();
        assertThat(error.path("message").asString())
                .as(what + ": " + response.body())
                .isNotBlank();
        assertThat(error.path("requestId").asString())
                .as(what + ": " + response.body())
                .isNotBlank();
        assertThat(response.body()).as(what).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void revoking_an_admin_key_ends_the_jwts_bought_with_it_in_every_service_that_accepts_them() throws Exception {
        String tenant = stack.demoTenantId();
        String admin = "Bearer " + stack.adminToken().reveal();
        RawHttp.Response issued = RawHttp.send(
                stack.port(Service.ADMIN),
                "POST",
                "/admin/admin-keys",
                Map.of("Authorization", admin, "Content-Type", "application/json"),
                "{\"role\":\"platform-admin\",\"label\":\"revocation check\"}");
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        String adminKey = field(issued.body(), "/key");
        String adminKeyId = field(issued.body(), "/adminKey/keyId");
        RawHttp.Response token = RawHttp.send(
                stack.port(Service.ADMIN),
                "POST",
                "/admin/auth/token",
                Map.of("Authorization", "Bearer " + adminKey),
                "");
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        Map<String, String> jwt = Map.of("Authorization", "Bearer " + field(token.body(), "/access_token"));
        Map<Service, String> reads = Map.of(
                Service.ADMIN, "/admin/tenants/" + tenant,
                Service.ANALYTICS, "/analytics/costs?tenantId=" + tenant,
                Service.DISPATCHER, "/webhooks/tenants/" + tenant + "/deliveries");
        reads.forEach((service, path) -> assertThat(RawHttp.send(stack.port(service), "GET", path, jwt, null)
                        .status())
                .as(service + " " + path + " before revocation")
                .isEqualTo(200));

        RawHttp.Response revoked = RawHttp.send(
                stack.port(Service.ADMIN),
                "DELETE",
                "/admin/admin-keys/" + adminKeyId,
                Map.of("Authorization", admin),
                null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        long at = System.nanoTime();

        reads.forEach((service, path) -> org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> RawHttp.send(stack.port(service), "GET", path, jwt, null)
                                .status()
                        == 401));
        System.out.printf(
                "a revoked admin key's JWT refused by admin-api, analytics and the dispatcher within %d ms%n",
                (System.nanoTime() - at) / 1_000_000);
        RawHttp.Response rebuy = RawHttp.send(stack.port(Service.ADMIN), "POST", "/admin/auth/token", jwt, "");
        assertThat(rebuy.status()).isIn(401, 403);
    }

    private static String field(String json, String pointer) {
        return tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(json)
                .at(pointer)
                .asString();
    }

    /**
     * Without a credential a route answers 401; one whose path names a thing (a provider, a tenant)
     * may say 404 first, which tells nothing a caller did not send itself.
     */
    private static boolean expectedRefusal(RouteWalk.Route route, int status) {
        return status == 401 || (status == 404 && route.path().contains("x1"));
    }

    private static void noCanary(List<String> canaries, String text, List<String> failures) {
        for (String canary : canaries) {
            if (text.contains(canary)) {
                failures.add("a secret in the answer to " + text.substring(0, Math.min(80, text.length())));
            }
        }
    }
}
