package dev.symbolon.edge.provider;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;

/**
 * Reads how long a rate-limited provider asks to be left alone from its answer's headers: the
 * standard {@code retry-after} (seconds or an HTTP date), and the families' own reset headers where a
 * limit's remaining count is 0 (OpenAI's {@code x-ratelimit-reset-*} durations such as {@code 6m0s},
 * Anthropic's {@code anthropic-ratelimit-*-reset} timestamps). A value it cannot read is ignored.
 */
final class RateLimitHeaders {

    private static final Pattern GO_DURATION =
            Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+(?:\\.\\d+)?)s)?(?:(\\d+)ms)?");

    private RateLimitHeaders() {}

    /** {@code retry-after} as a duration from {@code now}; null when absent or unreadable. */
    static Duration retryAfter(HttpHeaders headers, Instant now) {
        String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
        if (value == null || value.isBlank()) {
            return null;
        }
        value = value.strip();
        if (value.chars().allMatch(Character::isDigit) && value.length() <= 9) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            return positive(Duration.between(now, at));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The latest reset among the limits whose {@code <prefix>remaining-<limit>} is 0, read from
     * {@code <prefix>reset-<limit>} as a Go-style duration (OpenAI: {@code x-ratelimit-}).
     */
    static Duration exhaustedDurations(HttpHeaders headers, String prefix, String... limits) {
        Duration latest = null;
        for (String limit : limits) {
            if (!"0".equals(strip(headers.getFirst(prefix + "remaining-" + limit)))) {
                continue;
            }
            latest = later(latest, goDuration(headers.getFirst(prefix + "reset-" + limit)));
        }
        return latest;
    }

    /**
     * The latest reset among the limits whose {@code <prefix><limit>-remaining} is 0, read from
     * {@code <prefix><limit>-reset} as an RFC 3339 time (Anthropic: {@code anthropic-ratelimit-}).
     */
    static Duration exhaustedTimestamps(HttpHeaders headers, Instant now, String prefix, String... limits) {
        Duration latest = null;
        for (String limit : limits) {
            if (!"0".equals(strip(headers.getFirst(prefix + limit + "-remaining")))) {
                continue;
            }
            String reset = strip(headers.getFirst(prefix + limit + "-reset"));
            if (reset == null) {
                continue;
            }
            try {
                latest = later(latest, positive(Duration.between(now, Instant.parse(reset))));
            } catch (DateTimeParseException e) {
                // unreadable: ignored
            }
        }
        return latest;
    }

    /** {@code 1h2m3.5s}, {@code 6m0s}, {@code 20ms}; null when empty or unreadable. */
    static Duration goDuration(String value) {
        value = strip(value);
        if (value == null || value.isEmpty() || value.length() > 32) {
            return null;
        }
        Matcher m = GO_DURATION.matcher(value);
        if (!m.matches()) {
            return null;
        }
        long millis = 0;
        if (m.group(1) != null) {
            millis += Long.parseLong(m.group(1)) * 3_600_000;
        }
        if (m.group(2) != null) {
            millis += Long.parseLong(m.group(2)) * 60_000;
        }
        if (m.group(3) != null) {
            millis += Math.round(Double.parseDouble(m.group(3)) * 1000);
        }
        if (m.group(4) != null) {
            millis += Long.parseLong(m.group(4));
        }
        return Duration.ofMillis(millis);
    }

    static Duration later(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static String strip(String value) {
        return value == null ? null : value.strip();
    }
}
