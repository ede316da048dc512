package dev.symbolon.analytics.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlicesTest {

    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    static final BigDecimal[] TEN_REQUESTS = {BigDecimal.TEN, null, null};
    static final BigDecimal[] NOTHING = {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
    static final BigDecimal[] ONE_REQUEST = {BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO};

    /** Three edges take turns asking for one request at a time and admit whatever they are granted. */
    @Test
    void edges_that_ask_in_turn_are_granted_exactly_the_limit_in_all_and_then_refused() {
        Map<String, Slices.Held> rows = new LinkedHashMap<>();
        Map<String, Integer> admitted = new LinkedHashMap<>(Map.of("a", 0, "b", 0, "c", 0));
        List<Integer> slices = new ArrayList<>();
        int refusals = 0;
        for (int round = 0; round < 30; round++) {
            String edge = List.of("a", "b", "c").get(round % 3);
            BigDecimal used = BigDecimal.valueOf(admitted.get(edge));
            Slices.Held own = rows.get(edge);
            if (own != null && own.granted()[0].compareTo(used) > 0) {
                admitted.merge(edge, 1, Integer::sum); // room of its own: no ask
                continue;
            }
            Slices.Outcome outcome = Slices.decide(
                    TEN_REQUESTS,
                    NOTHING,
                    List.copyOf(rows.values()),
                    edge,
                    new BigDecimal[] {used, BigDecimal.ZERO, BigDecimal.ZERO},
                    ONE_REQUEST,
                    NOW);
            rows.put(edge, new Slices.Held(edge, 1, outcome.granted(), NOTHING, NOW.plusSeconds(60)));
            if (outcome.exhausted()) {
                refusals++;
                continue;
            }
            slices.add(outcome.granted()[0].subtract(used).intValueExact());
            admitted.merge(edge, 1, Integer::sum);
        }
        assertThat(admitted.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
        assertThat(rows.values().stream().map(h -> h.granted()[0]).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo("10");
        // the first ask takes half of the room, later ones less, the last ones a single request
        assertThat(slices.get(0)).isEqualTo(5);
        assertThat(slices.get(slices.size() - 1)).isEqualTo(1);
        assertThat(refusals).isPositive();
    }

    @Test
    void usage_counted_and_room_held_by_other_edges_both_leave_the_free_room() {
        BigDecimal[] cost = {null, null, new BigDecimal("5.00")};
        // $3.50 counted in all, $1.00 of it from edge b, which holds $2.00: $1.00 of b's is still held
        List<Slices.Held> rows = List.of(new Slices.Held(
                "b",
                4,
                new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("2.00")},
                new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("1.00")},
                NOW.plusSeconds(30)));
        BigDecimal[] counted = {BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("3.50")};

        Slices.Outcome fits = Slices.decide(cost, counted, rows, "a", NOTHING, amount("0.50"), NOW);
        Slices.Outcome tooMuch = Slices.decide(cost, counted, rows, "a", NOTHING, amount("0.51"), NOW);

        // free: 5.00 - 3.50 - 1.00 = 0.50, all of it granted to the ask that needs it
        assertThat(fits.exhausted()).isFalse();
        assertThat(fits.granted()[2]).isEqualByComparingTo("0.50");
        assertThat(tooMuch.exhausted()).isTrue();
        assertThat(tooMuch.granted()[2]).isEqualByComparingTo("0");
    }

    @Test
    void an_expired_grant_holds_nothing_and_a_return_lowers_a_grant_to_what_was_used() {
        BigDecimal[] limit = {BigDecimal.valueOf(100), null, null};
        Slices.Held expired = new Slices.Held(
                "gone", 9, new BigDecimal[] {BigDecimal.valueOf(80), BigDecimal.ZERO, BigDecimal.ZERO}, NOTHING, NOW);
        Slices.Held holding = new Slices.Held(
                "a",
                2,
                new BigDecimal[] {BigDecimal.valueOf(40), BigDecimal.ZERO, BigDecimal.ZERO},
                NOTHING,
                NOW.plusSeconds(5));

        Slices.Outcome ask = Slices.decide(limit, NOTHING, List.of(expired, holding), "b", NOTHING, ONE_REQUEST, NOW);
        Slices.Outcome returned = Slices.decide(
                limit,
                NOTHING,
                List.of(expired, holding),
                "a",
                new BigDecimal[] {BigDecimal.valueOf(12), BigDecimal.ZERO, BigDecimal.ZERO},
                null,
                NOW);

        // free is 100 - 40 (a's) = 60: half of it over the two edges that hold room
        assertThat(ask.granted()[0]).isEqualByComparingTo("15");
        assertThat(returned.exhausted()).isFalse();
        assertThat(returned.granted()[0]).isEqualByComparingTo("12");
    }

    private static BigDecimal[] amount(String cost) {
        return new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal(cost)};
    }
}
