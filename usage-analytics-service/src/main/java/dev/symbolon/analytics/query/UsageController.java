package dev.symbolon.analytics.query;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The finance API's view of raw usage. Requires the admin token ({@code AdminTokenFilter}). */
@RestController
class UsageController {

    static final int MAX_LIMIT = 1000;

    private final UsageQueries queries;

    UsageController(UsageQueries queries) {
        this.queries = queries;
    }

    /**
     * Totals and the most recent requests of a tenant in {@code [from, to)}; the last 30 days by
     * default.
     */
    @GetMapping("/analytics/usage")
    UsageReport usage(
            @RequestParam String tenantId,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
            @RequestParam(defaultValue = "100") int limit) {
        if (tenantId.isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "tenantId must not be blank");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
        }
        Instant end = to != null ? to : Instant.now().plus(1, ChronoUnit.MINUTES);
        Instant start = from != null ? from : end.minus(30, ChronoUnit.DAYS);
        if (!start.isBefore(end)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "from must be before to");
        }
        return new UsageReport(
                tenantId,
                start,
                end,
                queries.totals(tenantId, start, end),
                queries.recent(tenantId, start, end, limit));
    }

    record UsageReport(
            String tenantId, Instant from, Instant to, UsageQueries.Totals totals, List<UsageQueries.Fact> recent) {}
}
