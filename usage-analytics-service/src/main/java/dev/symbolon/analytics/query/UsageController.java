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
     * Exact cost and usage from the rollups: per UTC {@code hour}, {@code day} or {@code month} bucket
     * and the {@code groupBy} dimensions (comma-separated: tenant, app, key, provider, model), with the
     * grand total; optionally narrowed to one app, key, provider or model. Without {@code tenantId}
     * (finance and platform-admin only) every tenant. The last 30 days by default.
     */
    @GetMapping("/analytics/costs")
    CostReport costs(
            @RequestParam(required = false) String tenantId,
            @RequestParam(required = false) String appId,
            @RequestParam(required = false) String keyId,
            @RequestParam(required = false) String provider,
            @RequestParam(required = false) String model,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
            @RequestParam(defaultValue = "day") String granularity,
            @RequestParam(defaultValue = "") List<String> groupBy) {
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
        Instant[] range = range(from, to);
        List<UsageQueries.Row> rows =
                queries.costs(filter(tenantId, appId, keyId, provider, model), range[0], range[1], granularity, dims);
        UsageQueries.Totals total =
                rows.stream().map(UsageQueries.Row::totals).reduce(UsageQueries.Totals.ZERO, UsageQueries.Totals::plus);
        return new CostReport(tenantId, range[0], range[1], granularity, dims, total, rows);
    }

    /** The top {@code limit} tenants, apps, keys, providers or models by cost, requests or tokens. */
    @GetMapping("/analytics/top")
    List<UsageQueries.Ranked> top(
            @RequestParam(required = false) String tenantId,
            @RequestParam(defaultValue = "model") String by,
            @RequestParam(defaultValue = "cost") String metric,
            @RequestParam(defaultValue = "10") int limit,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to) {
        if (limit < 1 || limit > 100) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be between 1 and 100");
        }
        Instant[] range = range(from, to);
        try {
            return queries.top(filter(tenantId, null, null, null, null), range[0], range[1], by, metric, limit);
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
    }

    /**
     * Every fact of a range as CSV, streamed from a database cursor as the client reads it (for ranges
     * of any size). Fields that could start a spreadsheet formula are prefixed with {@code '}.
     */
    @GetMapping(path = "/analytics/usage/export", produces = "text/csv")
    reactor.core.publisher.Flux<String> export(
            @RequestParam(required = false) String tenantId,
            @RequestParam(required = false) String appId,
            @RequestParam(required = false) String keyId,
            @RequestParam(required = false) String provider,
            @RequestParam(required = false) String model,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to) {
        Instant[] range = range(from, to);
        UsageQueries.Filter filter = filter(tenantId, appId, keyId, provider, model);
        return reactor.core.publisher.Flux.<String>create(sink -> {
                    StringBuilder chunk = new StringBuilder(65_536);
                    try {
                        queries.exportFacts(filter, range[0], range[1], line -> {
                            chunk.append(line);
                            if (chunk.length() >= 60_000) {
                                awaitDemand(sink);
                                sink.next(chunk.toString());
                                chunk.setLength(0);
                            }
                        });
                        if (!chunk.isEmpty()) {
                            awaitDemand(sink);
                            sink.next(chunk.toString());
                        }
                        sink.complete();
                    } catch (RuntimeException e) {
                        sink.error(e);
                    }
                })
                .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
    }

    /** Waits (on the export's own thread) until the client wants more; gives up if it left. */
    private static void awaitDemand(reactor.core.publisher.FluxSink<String> sink) {
        while (sink.requestedFromDownstream() == 0) {
            if (sink.isCancelled()) {
                throw new IllegalStateException("export cancelled by the client");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private static UsageQueries.Filter filter(
            String tenantId, String appId, String keyId, String provider, String model) {
        if (tenantId != null && tenantId.isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "tenantId must not be blank");
        }
        return new UsageQueries.Filter(
                tenantId, blankToNull(appId), blankToNull(keyId), blankToNull(provider), blankToNull(model));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static Instant[] range(Instant from, Instant to) {
        Instant end = to != null ? to : Instant.now().plus(1, ChronoUnit.MINUTES);
        Instant start = from != null ? from : end.minus(30, ChronoUnit.DAYS);
        if (!start.isBefore(end)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "from must be before to");
        }
        return new Instant[] {start, end};
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
