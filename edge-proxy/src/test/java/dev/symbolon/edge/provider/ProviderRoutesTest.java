package dev.symbolon.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.symbolon.contracts.Secret;
import dev.symbolon.edge.EdgeProperties;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

public class ProviderRoutesTest {

    private final ProviderRoutes routes = new ProviderRoutes(properties(
            Map.of("openai", new EdgeProperties.Upstream(URI.create("http://localhost:9999/v1/"))),
            Map.of("local-llm", new EdgeProperties.Upstream(URI.create("http://localhost:11434/v1")))));

    @Test
    void each_provider_native_prefix_maps_to_its_provider_and_endpoint() {
        assertRoute("/openai/v1/chat/completions", "openai", "/chat/completions");
        assertRoute("/anthropic/v1/messages", "anthropic", "/messages");
        assertRoute(
                "/gemini/v1beta/models/gemini-2.0-flash:generateContent",
                "gemini",
                "/models/gemini-2.0-flash:generateContent");
        assertRoute(
                "/gemini/v1/models/gemini-2.0-flash:generateContent",
                "gemini",
                "/models/gemini-2.0-flash:generateContent");
        assertRoute("/groq/openai/v1/chat/completions", "groq", "/chat/completions");
        assertRoute("/mistral/v1/chat/completions", "mistral", "/chat/completions");
        assertRoute("/deepseek/v1/chat/completions", "deepseek", "/chat/completions");
        assertRoute("/compat/local-llm/v1/chat/completions", "compat:local-llm", "/chat/completions");
    }

    @Test
    void every_provider_of_the_catalogue_is_routed_with_its_dialects_key_style_and_seed_endpoints() {
        for (dev.symbolon.contracts.ProviderCatalogue.Entry entry : dev.symbolon.contracts.ProviderCatalogue.ALL) {
            String endpoint = entry.seedEndpoints().get(0);
            ProviderRoutes.Route route =
                    routes.resolve(entry.routePrefix() + endpoint).orElseThrow();

            assertThat(route.provider().name()).as(entry.name()).isEqualTo(entry.name());
            assertThat(route.endpoint()).isEqualTo(endpoint);
            assertThat(route.provider().dialect()).isEqualTo(Dialect.of(entry.dialect()));
            assertThat(ProviderRoutes.claims(entry.routePrefix() + endpoint)).isTrue();
            if (!entry.name().equals("openai")) { // overridden above
                assertThat(route.provider().baseUrl()).hasToString(entry.baseUrl());
            }
        }
    }

    @Test
    void the_router_claims_exactly_the_paths_the_provider_routes_serve() {
        for (String path : List.of(
                "/openai/v1/chat/completions",
                "/anthropic/v1/messages",
                "/gemini/v1beta/models/x:generateContent",
                "/gemini/v1/models/x:streamGenerateContent",
                "/groq/openai/v1/chat/completions",
                "/mistral/v1/embeddings",
                "/compat/local-llm/v1/chat/completions")) {
            assertThat(ProviderRoutes.claims(path)).as(path).isTrue();
            assertThat(routes.resolve(path)).as(path).isPresent();
        }
        for (String path : List.of(
                "/byok/keys",
                "/auth/token",
                "/api/openai/proxy",
                "/analytics/my-stats",
                "/openai/v1x/models",
                "/gemini/v2/models/x:generateContent",
                "/")) {
            assertThat(ProviderRoutes.claims(path)).as(path).isFalse();
        }
    }

    @Test
    void gemini_v1_is_the_same_provider_at_the_sibling_base_url() {
        assertThat(routes.resolve("/gemini/v1/models/x:generateContent")
                        .orElseThrow()
                        .provider()
                        .baseUrl())
                .isEqualTo(URI.create("https://generativelanguage.googleapis.com/v1"));
        assertThat(routes.resolve("/gemini/v1beta/models/x:generateContent")
                        .orElseThrow()
                        .provider()
                        .baseUrl())
                .isEqualTo(URI.create("https://generativelanguage.googleapis.com/v1beta"));
        assertThat(ProviderRoutes.patterns()).contains("/gemini/v1/**", "/gemini/v1beta/**");
    }

    @Test
    void base_urls_come_from_configuration_with_defaults_for_built_in_providers() {
        assertThat(routes.resolve("/openai/v1/models").orElseThrow().provider().baseUrl())
                .isEqualTo(URI.create("http://localhost:9999/v1"));
        assertThat(routes.resolve("/anthropic/v1/messages")
                        .orElseThrow()
                        .provider()
                        .baseUrl())
                .isEqualTo(URI.create("https://api.anthropic.com/v1"));
        assertThat(routes.resolve("/compat/local-llm/v1/models")
                        .orElseThrow()
                        .provider()
                        .baseUrl())
                .isEqualTo(URI.create("http://localhost:11434/v1"));
    }

    @Test
    void unknown_prefixes_compat_names_and_bare_prefixes_have_no_route() {
        assertThat(routes.resolve("/openai/v2/chat/completions")).isEmpty();
        assertThat(routes.resolve("/openaiv1/chat")).isEmpty();
        assertThat(routes.resolve("/openai/v1/")).isEmpty();
        assertThat(routes.resolve("/openai/v1")).isEmpty();
        assertThat(routes.resolve("/compat/unknown/v1/chat/completions")).isEmpty();
        assertThat(routes.resolve("/compat/local-llm/v2/chat")).isEmpty();
        assertThat(routes.resolve("/actuator/health")).isEmpty();
    }

    @Test
    void an_unknown_built_in_provider_in_configuration_fails_start_up() {
        assertThatThrownBy(() -> new ProviderRoutes(
                        properties(Map.of("openia", new EdgeProperties.Upstream(URI.create("http://x"))), Map.of())))
                .hasMessageContaining("openia");
    }

    private void assertRoute(String path, String provider, String endpoint) {
        ProviderRoutes.Route route = routes.resolve(path).orElseThrow();
        assertThat(route.provider().name()).isEqualTo(provider);
        assertThat(route.endpoint()).isEqualTo(endpoint);
    }

    static EdgeProperties properties(
            Map<String, EdgeProperties.Upstream> providers, Map<String, EdgeProperties.Upstream> compat) {
        return properties(providers, compat, null);
    }

    static EdgeProperties properties(
            Map<String, EdgeProperties.Upstream> providers,
            Map<String, EdgeProperties.Upstream> compat,
            Map<String, List<String>> sharedKeyEndpoints) {
        return properties(providers, compat, sharedKeyEndpoints, null);
    }

    /** The edge's properties with these upstreams and routing (null: the defaults). */
    public static EdgeProperties properties(
            Map<String, EdgeProperties.Upstream> providers,
            Map<String, EdgeProperties.Upstream> compat,
            Map<String, List<String>> sharedKeyEndpoints,
            EdgeProperties.Routing routing) {
        return new EdgeProperties(
                Secret.of("pepper"),
                new EdgeProperties.KeyVault(URI.create("http://localhost:1"), Secret.of("t"), Duration.ofMinutes(1)),
                providers,
                compat,
                DataSize.ofMegabytes(1),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                List.of(),
                new EdgeProperties.UsageJournal(java.nio.file.Path.of("target/journal"), DataSize.ofMegabytes(1), 10),
                new EdgeProperties.AppTokens(Secret.of("0123456789abcdef0123456789abcdef"), Duration.ofMinutes(15)),
                new EdgeProperties.AdminApi(URI.create("http://localhost:1"), Secret.of("t")),
                new EdgeProperties.Analytics(URI.create("http://localhost:9"), Secret.of("t")),
                sharedKeyEndpoints,
                null,
                null,
                routing,
                null);
    }
}
