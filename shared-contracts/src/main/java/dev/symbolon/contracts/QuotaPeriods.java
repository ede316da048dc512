package dev.symbolon.contracts;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The quota period rule, one for the edge and analytics: a daily quota counts the calendar day, a
 * monthly one the calendar month, both in the tenant's time zone (UTC when it names none or an invalid
 * one), each from its start (inclusive) to the next one's (exclusive). Which requests count is
 * {@link UsageRecorded#countsTowardQuota()}; a limit is named {@code <measure>-per-<period>}
 * ({@link #limitName}), e.g. {@code cost-per-month}.
 */
public record QuotaPeriods(ZoneId zone, Instant dayStart, Instant dayEnd, Instant monthStart, Instant monthEnd) {

    public static final String REQUESTS_PER_DAY = limitName("requests", "day");
    public static final String REQUESTS_PER_MONTH = limitName("requests", "month");
    public static final String TOKENS_PER_DAY = limitName("tokens", "day");
    public static final String TOKENS_PER_MONTH = limitName("tokens", "month");
    public static final String COST_PER_DAY = limitName("cost", "day");
    public static final String COST_PER_MONTH = limitName("cost", "month");

    /** The day and month around an instant, in a time zone. */
    public static QuotaPeriods at(ZoneId zone, Instant instant) {
        ZonedDateTime day = instant.atZone(zone).truncatedTo(ChronoUnit.DAYS);
        ZonedDateTime month = day.withDayOfMonth(1);
        return new QuotaPeriods(
                zone,
                day.toInstant(),
                day.plusDays(1).toInstant(),
                month.toInstant(),
                month.plusMonths(1).toInstant());
    }

    /** A tenant's time zone from its snapshot's {@code timeZone}: UTC when missing or invalid. */
    public static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            return ZoneOffset.UTC;
        }
    }

    /** Whether these are the periods of an instant in that zone (the same day, hence the same month). */
    public boolean contain(ZoneId zone, Instant instant) {
        return this.zone.equals(zone) && !instant.isBefore(dayStart) && instant.isBefore(dayEnd);
    }

    /** A limit's name: {@code measure} is requests, tokens or cost; {@code period} day or month. */
    public static String limitName(String measure, String period) {
        return measure + "-per-" + period;
    }
}
