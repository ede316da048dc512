package dev.symbolon.analytics.quota;

import dev.symbolon.contracts.QuotaState;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * An app's own usage of the current day and month in its tenant's time zone, for the edge's
 * seed-compatible {@code GET /analytics/my-stats} (service token; the edge names the authenticated
 * app, never the client).
 */
@RestController
class AppStatsController {

    private final QuotaStatePublisher states;

    AppStatsController(QuotaStatePublisher states) {
        this.states = states;
    }

    @GetMapping("/internal/v1/app-stats")
    AppStats stats(@RequestParam String tenantId, @RequestParam String appId) {
        if (tenantId.isBlank() || appId.isBlank() || appId.contains("/")) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "tenantId and appId are required");
        }
        QuotaState state = states.state(tenantId + "/" + appId, Instant.now());
        return new AppStats(tenantId, appId, state.day(), state.month(), state.blocked(), state.blockedReason());
    }

    /** Requests, tokens and exact cost of the current day and month; whether an app quota is exhausted. */
    record AppStats(
            String tenantId,
            String appId,
            QuotaState.PeriodUsage today,
            QuotaState.PeriodUsage thisMonth,
            boolean blocked,
            String blockedReason) {}
}
