package dev.symbolon.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

class RateLimitHeadersTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void retry_after_in_seconds_or_as_an_http_date_wins_for_every_family() {
        HttpHeaders seconds = headers("retry-after", "17", "x-ratelimit-remaining-requests", "0");
        seconds.set("x-ratelimit-reset-requests", "6m0s");
        HttpHeaders date = headers("retry-after", "Mon, 07 Dec 2026 10:00:42 GMT");

        assertThat(Dialect.OPENAI.rateLimitReset(seconds, NOW)).isEqualTo(Duration.ofSeconds(17));
        assertThat(Dialect.GEMINI.rateLimitReset(date, NOW)).isEqualTo(Duration.ofSeconds(42));
        assertThat(Dialect.ANTHROPIC.rateLimitReset(date, NOW)).isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void openai_resets_count_only_for_a_limit_with_none_remaining() {
        HttpHeaders headers = headers(
                "x-ratelimit-remaining-requests", "12",
                "x-ratelimit-reset-requests", "20ms",
                "x-ratelimit-remaining-tokens", "0");
        headers.set("x-ratelimit-reset-tokens", "1m2.5s");

        assertThat(Dialect.OPENAI.rateLimitReset(headers, NOW)).isEqualTo(Duration.ofMillis(62_500));
        assertThat(RateLimitHeaders.goDuration("1h0m0s")).isEqualTo(Duration.ofHours(1));
        assertThat(RateLimitHeaders.goDuration("20ms")).isEqualTo(Duration.ofMillis(20));
        assertThat(RateLimitHeaders.goDuration("soon")).isNull();
    }

    @Test
    void anthropic_resets_are_timestamps_of_the_exhausted_limit() {
        HttpHeaders headers = headers(
                "anthropic-ratelimit-requests-remaining", "0",
                "anthropic-ratelimit-requests-reset", "2026-12-07T10:00:09Z",
                "anthropic-ratelimit-tokens-remaining", "5000");
        headers.set("anthropic-ratelimit-tokens-reset", "2026-12-07T10:05:00Z");

        assertThat(Dialect.ANTHROPIC.rateLimitReset(headers, NOW)).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void nothing_readable_says_nothing() {
        assertThat(Dialect.OPENAI.rateLimitReset(headers("retry-after", "tomorrow"), NOW))
                .isNull();
        assertThat(Dialect.ANTHROPIC.rateLimitReset(
                        headers(
                                "anthropic-ratelimit-requests-remaining", "0",
                                "anthropic-ratelimit-requests-reset", "not a time"),
                        NOW))
                .isNull();
        assertThat(Dialect.GEMINI.rateLimitReset(new HttpHeaders(), NOW)).isNull();
    }

    private static HttpHeaders headers(String... pairs) {
        HttpHeaders headers = new HttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.set(pairs[i], pairs[i + 1]);
        }
        return headers;
    }
}
