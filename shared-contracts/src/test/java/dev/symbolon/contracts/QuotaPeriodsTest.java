package dev.symbolon.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class QuotaPeriodsTest {

    @Test
    void the_day_and_month_are_the_tenants_calendar_ones() {
        // 2026-11-30T20:00Z is already December 1st in Tokyo
        QuotaPeriods tokyo = QuotaPeriods.at(ZoneId.of("Asia/Tokyo"), Instant.parse("2026-11-30T20:00:00Z"));

        assertThat(tokyo.dayStart()).isEqualTo(Instant.parse("2026-11-30T15:00:00Z"));
        assertThat(tokyo.dayEnd()).isEqualTo(Instant.parse("2026-12-01T15:00:00Z"));
        assertThat(tokyo.monthStart()).isEqualTo(Instant.parse("2026-11-30T15:00:00Z"));
        assertThat(tokyo.monthEnd()).isEqualTo(Instant.parse("2026-12-31T15:00:00Z"));
        assertThat(tokyo.contain(ZoneId.of("Asia/Tokyo"), Instant.parse("2026-12-01T14:59:59Z")))
                .isTrue();
        assertThat(tokyo.contain(ZoneId.of("Asia/Tokyo"), Instant.parse("2026-12-01T15:00:00Z")))
                .isFalse();
        assertThat(tokyo.contain(ZoneOffset.UTC, Instant.parse("2026-11-30T20:00:00Z")))
                .isFalse();
    }

    @Test
    void a_missing_or_invalid_zone_is_utc_and_limits_are_named_alike_everywhere() {
        assertThat(QuotaPeriods.zone(null)).isEqualTo(ZoneOffset.UTC);
        assertThat(QuotaPeriods.zone("Mars/Olympus")).isEqualTo(ZoneOffset.UTC);
        assertThat(QuotaPeriods.zone("Europe/Berlin")).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(QuotaPeriods.limitName("cost", "month")).isEqualTo("cost-per-month");
    }
}
