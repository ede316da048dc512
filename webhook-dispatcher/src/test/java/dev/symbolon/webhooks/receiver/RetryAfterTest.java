package dev.symbolon.webhooks.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    @Test
    void seconds_and_http_dates_are_read_and_anything_else_is_ignored() {
        assertThat(RetryAfter.parse("20")).isEqualTo(Duration.ofSeconds(20));
        assertThat(RetryAfter.parse(" 3 ")).isEqualTo(Duration.ofSeconds(3));
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        assertThat(RetryAfter.parse(inAMinute)).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(61));
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT"))
                .as("in the past")
                .isNull();
        assertThat(RetryAfter.parse("0")).isNull();
        assertThat(RetryAfter.parse("-5")).isNull();
        assertThat(RetryAfter.parse("soon")).isNull();
        assertThat(RetryAfter.parse(null)).isNull();
        assertThat(RetryAfter.parse("99999999999999999999")).isEqualTo(Duration.ofSeconds(999_999_999L));
    }
}
