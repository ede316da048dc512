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

    /**
     * Exact cost and usage of a tenant from the rollups: per UTC {@code hour}, {@code day} or
     * {@code month} bucket and the {@code groupBy} dimensions (comma-separated: app, key, provider,
     * model), with the grand total. The last 30 days by default.
     */
    @GetMapping("/analytics/costs")
    CostReport costs(
            @RequestParam String tenantId,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
            @RequestParam(defaultValue = "day") String granularity,
            @RequestParam(defaultValue = "") List<String> groupBy) {
        if (tenantId.isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "tenantId must not be blank");
        }
        if (!List.of("hour", "day", "month").contains(granularity)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "granularity is hour, day or month");
        }
        List<String> dims =
                groupBy.stream().filter(d -> !d.isBlank()).distinct().toList();
        try {
            dims.forEach(UsageQueries::column);
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        Instant end = to != null ? to : Instant.now().plus(1, ChronoUnit.MINUTES);
        Instant start = from != null ? from : end.minus(30, ChronoUnit.DAYS);
        if (!start.isBefore(end)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "from must be before to");
        }
        List<UsageQueries.Row> rows = queries.costs(tenantId, start, end, granularity, dims);
        UsageQueries.Totals total = rows.stream()
                .map(UsageQueries.Row::totals)
                .reduce(
                        new UsageQueries.Totals(0, 0, 0, 0, java.math.BigDecimal.ZERO, 0),
                        (a, b) -> new UsageQueries.Totals(
                                a.requests() + b.requests(),
                                a.inputTokens() + b.inputTokens(),
                                a.outputTokens() + b.outputTokens(),
                                a.cachedInputTokens() + b.cachedInputTokens(),
                                a.costUsd().add(b.costUsd()),
                                a.unpricedRequests() + b.unpricedRequests()));
        return new CostReport(tenantId, start, end, granularity, dims, total, rows);
    }

    record CostReport(
            String tenantId,
            Instant from,
            Instant to,
            String granularity,
            List<String> groupBy,
            UsageQueries.Totals totals,
            List<UsageQueries.Row> rows) {}

    record UsageReport(
            String tenantId, Instant from, Instant to, UsageQueries.Totals totals, List<UsageQueries.Fact> recent) {}
}
