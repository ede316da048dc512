package dev.symbolon.webhooks.receiver;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** A receiver's {@code Retry-After} (RFC 9110: delay-seconds or an HTTP date), as a wait from now. */
final class RetryAfter {

    /** The wait asked for; null when the header is absent, malformed or in the past. */
    static Duration parse(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        if (value.chars().allMatch(Character::isDigit)) {
            if (value.length() > 9) {
                return Duration.ofSeconds(999_999_999L);
            }
            long seconds = Long.parseLong(value);
            return seconds > 0 ? Duration.ofSeconds(seconds) : null;
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            Duration wait = Duration.between(Instant.now(), at);
            return wait.isNegative() || wait.isZero() ? null : wait;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private RetryAfter() {}
}
