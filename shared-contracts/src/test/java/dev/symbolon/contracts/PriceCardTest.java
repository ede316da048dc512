package dev.symbolon.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.symbolon.contracts.PriceCard.Rates;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceCardTest {

    private static final Instant FROM = Instant.parse("2025-01-01T00:00:00Z");

    private static BigDecimal usd(String amount) {
        return new BigDecimal(amount);
    }

    private static final PriceCard SONNET = new PriceCard(
            "anthropic",
            "claude-sonnet-4-5",
            FROM,
            new Rates(usd("3"), usd("0.30"), usd("3.75"), usd("6"), usd("15"), null, null),
            200_000L,
            new Rates(usd("6"), usd("0.60"), usd("7.50"), usd("12"), usd("22.50"), null, null),
            64_000L);

    @Test
    void each_token_class_is_charged_at_its_own_rate() {
        // 1000 prompt tokens: 300 cache reads, 200 written for 5 minutes, 100 for an hour, 400 plain
        Tokens tokens = new Tokens(1000, 300, 200, 100, 500, 0, 0, 0);

        // 400×3 + 300×0.30 + 200×3.75 + 100×6 + 500×15 = 1200 + 90 + 750 + 600 + 7500 = 10140 µ$
        assertThat(SONNET.cost(tokens)).isEqualByComparingTo("0.010140");
        assertThat(SONNET.cost(tokens).scale()).isEqualTo(PriceCard.COST_SCALE);
    }

    @Test
    void cache_writes_at_the_input_price_were_the_thirteen_percent_under_billing() {
        Tokens withWrites = new Tokens(1000, 0, 200, 0, 0, 0, 0, 0);
        Tokens foldedIntoInput = new Tokens(1000, 0, 0, 0, 0, 0, 0, 0);

        BigDecimal right = SONNET.cost(withWrites); // 800×3 + 200×3.75 = 3150 µ$
        BigDecimal wrong = SONNET.cost(foldedIntoInput); // 3000 µ$

        assertThat(right).isEqualByComparingTo("0.003150");
        assertThat(wrong).isEqualByComparingTo("0.003000");
    }

    @Test
    void a_prompt_beyond_the_long_context_threshold_prices_the_whole_request_in_the_long_tier() {
        Tokens longPrompt = new Tokens(200_001, 0, 0, 0, 1000, 0, 0, 0);
        Tokens atThreshold = new Tokens(200_000, 0, 0, 0, 1000, 0, 0, 0);

        assertThat(SONNET.cost(longPrompt)).isEqualByComparingTo("1.222506"); // 200001×6 + 1000×22.5
        assertThat(SONNET.cost(atThreshold)).isEqualByComparingTo("0.615"); // 200000×3 + 1000×15
    }

    @Test
    void reasoning_is_part_of_output_and_costs_output() {
        Tokens thinking = new Tokens(0, 0, 0, 0, 1000, 800, 0, 0);

        assertThat(SONNET.cost(thinking)).isEqualByComparingTo(SONNET.cost(Tokens.of(0, 1000)));
    }

    @Test
    void audio_has_its_own_rates_and_unset_classes_fall_back() {
        PriceCard audio = new PriceCard(
                "openai",
                "gpt-4o-audio-preview",
                FROM,
                new Rates(usd("2.50"), null, null, null, usd("10"), usd("40"), usd("80")),
                null,
                null,
                null);
        Tokens tokens = new Tokens(1000, 200, 0, 0, 1000, 0, 100, 400);

        // plain input 700×2.5 + cached (falls back to input) 200×2.5 + audio 100×40 + 600×10 + 400×80
        assertThat(audio.cost(tokens)).isEqualByComparingTo("0.04425");
    }

    @Test
    void parts_never_add_up_to_more_than_the_whole() {
        Tokens nonsense = new Tokens(100, 80, 80, 80, 10, 0, 0, 50);

        // 80 cached, 20 written (5m), nothing left for 1h; all 10 output are audio (at output, unset)
        assertThat(SONNET.cost(nonsense)).isEqualByComparingTo("0.000249"); // 80×0.3 + 20×3.75 + 10×15
    }

    @Test
    void the_worst_case_takes_the_dearest_prompt_rate_and_the_dearer_tier() {
        // 1000 prompt tokens could all be 1-hour writes; below the threshold the long tier may still apply
        // if the estimate is low, so the dearer of both tiers is reserved: 1000×12 + 100×22.5
        assertThat(SONNET.worstCase(1000, 100)).isEqualByComparingTo("0.01425");

        PriceCard flat = new PriceCard(
                "openai", "gpt-4o-mini", FROM, Rates.of(usd("0.15"), usd("0.075"), usd("0.60")), null, null, 16_384L);
        assertThat(flat.worstCase(1000, 100)).isEqualByComparingTo("0.00021");
    }

    @Test
    void the_output_that_fits_a_budget_is_the_most_whose_worst_case_stays_within_it() {
        PriceCard flat = new PriceCard("groq", "m", FROM, Rates.of(usd("1"), null, usd("2")), null, null, null);

        // 100 prompt tokens cost 100 µ$; each output token 2 µ$: 250 µ$ leave room for 75
        assertThat(flat.maxOutputWithin(100, usd("0.000250"))).isEqualTo(75);
        assertThat(flat.worstCase(100, 75)).isLessThanOrEqualTo(usd("0.000250"));
        assertThat(flat.worstCase(100, 76)).isGreaterThan(usd("0.000250"));
        assertThat(flat.maxOutputWithin(100, usd("0.000099"))).isEqualTo(-1);
        PriceCard free =
                new PriceCard("compat:demo", "demo-", FROM, Rates.of(usd("0"), null, usd("0")), null, null, null);
        assertThat(free.maxOutputWithin(100, usd("0"))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void a_tier_needs_its_threshold() {
        assertThatThrownBy(
                        () -> new PriceCard("openai", "x", FROM, Rates.of(usd("1"), null, usd("1")), 10L, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_catalogue_picks_the_longest_prefix_in_its_version_of_the_time() {
        PriceCard mini = new PriceCard(
                "openai", "gpt-4o-mini", FROM, Rates.of(usd("0.15"), null, usd("0.60")), null, null, null);
        PriceCard miniLater = new PriceCard(
                "openai",
                "gpt-4o-mini",
                Instant.parse("2026-06-01T00:00:00Z"),
                Rates.of(usd("0.10"), null, usd("0.40")),
                null,
                null,
                null);
        PriceCard fourO =
                new PriceCard("openai", "gpt-4o", FROM, Rates.of(usd("2.50"), null, usd("10")), null, null, null);
        PriceCatalogue catalogue = new PriceCatalogue(List.of(fourO, miniLater, mini));

        assertThat(catalogue.priceFor("openai", "gpt-4o-mini-2024-07-18", Instant.parse("2026-01-01T00:00:00Z")))
                .contains(mini);
        assertThat(catalogue.priceFor("openai", "gpt-4o-mini-2024-07-18", Instant.parse("2026-07-01T00:00:00Z")))
                .contains(miniLater);
        assertThat(catalogue.priceFor("openai", "gpt-4o-2024-08-06", Instant.parse("2026-07-01T00:00:00Z")))
                .contains(fourO);
        assertThat(catalogue.priceFor("openai", "gpt-4o", Instant.parse("2024-01-01T00:00:00Z")))
                .isEmpty();
        assertThat(catalogue.priceFor("anthropic", "gpt-4o", Instant.parse("2026-01-01T00:00:00Z")))
                .isEmpty();
    }

    @Test
    void the_bundled_catalogue_prices_the_models_in_use_today() {
        PriceCatalogue catalogue = new PriceCatalogue(PriceCatalogue.bundled().prices());
        Instant now = Instant.parse("2026-12-01T00:00:00Z");

        for (String[] model : new String[][] {
            {"openai", "gpt-5-mini-2025-08-07"},
            {"openai", "gpt-4o-mini"},
            {"openai", "o4-mini"},
            {"anthropic", "claude-sonnet-4-5-20250929"},
            {"anthropic", "claude-haiku-4-5"},
            {"anthropic", "claude-opus-4-5-20251101"},
            {"gemini", "gemini-2.5-flash"},
            {"gemini", "gemini-2.5-pro"},
            {"gemini", "gemini-3-pro-preview"},
            {"groq", "llama-3.3-70b-versatile"},
            {"groq", "openai/gpt-oss-120b"},
            {"mistral", "mistral-large-latest"},
            {"mistral", "mistral-small-latest"},
            {"deepseek", "deepseek-chat"}
        }) {
            assertThat(catalogue.priceFor(model[0], model[1], now)).as(model[1]).isPresent();
        }
        // the longest prefix: Opus 4.5 is not priced as Opus 4
        assertThat(catalogue
                        .priceFor("anthropic", "claude-opus-4-5-20251101", now)
                        .orElseThrow()
                        .rates()
                        .input())
                .isEqualByComparingTo("5");
        assertThat(catalogue
                        .priceFor("gemini", "gemini-2.5-flash-lite", now)
                        .orElseThrow()
                        .model())
                .isEqualTo("gemini-2.5-flash-lite");
    }

    @Test
    void a_file_that_is_not_a_price_file_is_refused_with_the_reason() {
        assertThatThrownBy(() -> PriceCatalogue.read("{\"prices\": [{\"provider\": \"openai\"}]}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model");
        assertThatThrownBy(() -> PriceCatalogue.read("[1,2]".getBytes())).isInstanceOf(IllegalArgumentException.class);
    }
}
