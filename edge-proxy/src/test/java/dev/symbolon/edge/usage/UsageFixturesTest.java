package dev.symbolon.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.PriceCatalogue;
import dev.symbolon.contracts.ProviderCatalogue;
import dev.symbolon.contracts.Tokens;
import dev.symbolon.edge.provider.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real-shaped usage of each provider and token class ({@code usage-fixtures/fixtures.json}): read by
 * the edge's parser into the token classes, then priced with the bundled catalogue to the exact cost
 * worked out by hand in the fixture.
 */
class UsageFixturesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final PriceCatalogue CATALOGUE =
            new PriceCatalogue(PriceCatalogue.bundled().prices());

    record Fixture(String name, String provider, String model, JsonNode response, Tokens tokens, BigDecimal cost) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Fixture> fixtures() {
        try (InputStream in = UsageFixturesTest.class.getResourceAsStream("/usage-fixtures/fixtures.json")) {
            List<Fixture> fixtures = new ArrayList<>();
            for (JsonNode f : JSON.readTree(in)) {
                JsonNode t = f.path("tokens");
                fixtures.add(new Fixture(
                        f.path("name").asString(),
                        f.path("provider").asString(),
                        f.path("model").asString(),
                        f.path("response"),
                        new Tokens(
                                t.path("input").asLong(),
                                t.path("cachedInput").asLong(),
                                t.path("cacheWrite5m").asLong(),
                                t.path("cacheWrite1h").asLong(),
                                t.path("output").asLong(),
                                t.path("reasoning").asLong(),
                                t.path("audioInput").asLong(),
                                t.path("audioOutput").asLong()),
                        new BigDecimal(f.path("costUsd").asString())));
            }
            return fixtures;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void each_providers_usage_is_read_into_its_token_classes_and_priced_exactly(Fixture fixture) {
        byte[] body = JSON.writeValueAsBytes(fixture.response());

        Tokens tokens = UsageParser.parse(dialect(fixture.provider()), body, 0, body.length)
                .orElseThrow();
        PriceCard price = CATALOGUE
                .priceFor(fixture.provider(), fixture.model(), Instant.parse("2026-12-01T00:00:00Z"))
                .orElseThrow();

        assertThat(tokens).isEqualTo(fixture.tokens());
        assertThat(price.cost(tokens)).isEqualByComparingTo(fixture.cost());
    }

    private static Dialect dialect(String provider) {
        return Dialect.of(ProviderCatalogue.named(provider).orElseThrow().dialect());
    }
}
