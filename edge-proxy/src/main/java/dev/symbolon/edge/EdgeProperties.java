package dev.symbolon.edge;

import dev.symbolon.contracts.Secret;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the edge ({@code symbolon.edge.*}).
 *
 * @param credentialPepper server-side secret of the HMAC-SHA256 under which app credentials are
 *     hashed; the same value admin-api hashes with
 * @param keyVault where the edge fetches provider keys on a cache miss
 * @param providers base URL overrides of the built-in providers (openai, anthropic, gemini, groq,
 *     mistral), by provider name
 * @param compat operator-configured OpenAI-compatible upstreams, reachable as {@code
 *     /compat/{name}/v1/**}; base URLs come from here only, never from a request
 * @param maxBodySize request body limit (413 beyond)
 * @param upstreamTimeout total time a non-streamed upstream call may take (504 beyond)
 * @param streamIdleTimeout longest silence allowed between two reads from an upstream
 * @param trustedProxies CIDRs of proxies in front of the edge whose {@code X-Forwarded-For} is
 *     believed; empty means the socket's peer is the client
 * @param usageJournal where usage events wait while Kafka is unreachable
 * @param appTokens short-lived app tokens from {@code POST /auth/token}
 * @param adminApi where the edge records a revoked app token ({@code POST /auth/revoke})
 * @param analytics where {@code GET /analytics/my-stats} reads an app's usage
 * @param sharedKeyEndpoints endpoints beyond inference that the operator lets shared keys reach, by
 *     provider name, as {@code METHOD /path} entries (see {@code SharedKeyEndpoints})
 * @param streamLimits the longest and largest a streamed response may be (a policy can lower them)
 * @param splitKeyFailures how many refused split-key attempts a key id and a tenant may have before
 *     further attempts are refused with 429 (see {@code SplitKeyFailures})
 * @param routing key pools, fail-over and cooldowns
 * @param allowances this edge's share of daily and monthly quotas
 */
@Validated
@ConfigurationProperties("symbolon.edge")
public record EdgeProperties(
        @NotNull Secret credentialPepper,
        @NotNull @Valid KeyVault keyVault,
        Map<String, @Valid Upstream> providers,
        Map<String, @Valid Upstream> compat,
        @NotNull DataSize maxBodySize,
        @NotNull Duration upstreamTimeout,
        @NotNull Duration streamIdleTimeout,
        List<String> trustedProxies,
        @NotNull @Valid UsageJournal usageJournal,
        @NotNull @Valid AppTokens appTokens,
        @NotNull @Valid AdminApi adminApi,
        @NotNull @Valid Analytics analytics,
        Map<String, List<String>> sharedKeyEndpoints,
        @Valid SplitKeyFailures splitKeyFailures,
        @Valid StreamLimits streamLimits,
        @Valid Routing routing,
        @Valid Allowances allowances) {

    public EdgeProperties {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
        compat = compat == null ? Map.of() : Map.copyOf(compat);
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        sharedKeyEndpoints = sharedKeyEndpoints == null ? Map.of() : Map.copyOf(sharedKeyEndpoints);
        splitKeyFailures = splitKeyFailures == null ? SplitKeyFailures.DEFAULTS : splitKeyFailures;
        streamLimits = streamLimits == null ? StreamLimits.DEFAULTS : streamLimits;
        routing = routing == null ? Routing.DEFAULTS : routing;
        allowances = allowances == null ? Allowances.DEFAULTS : allowances;
    }

    /**
     * How the edge holds its share of daily and monthly quotas, granted by analytics (see {@code
     * limits.Quotas}).
     *
     * @param maxWait the longest a request waits for analytics' answer when the edge holds too little
     *     room for it (the added latency of a renewal is the answer's round trip, well below this)
     * @param idleReturn room of a tenant or app unused for this long is given back, for other edges
     * @param exhaustedBackoff after analytics says a quota is spent, requests beyond what the edge
     *     holds are refused without asking again for this long (a raised limit reopens at once)
     * @param failOpen what an edge may admit beyond its holding, per tenant or app and period, while
     *     analytics does not answer within {@code wait}; zero (the default) fails closed: 503
     */
    public record Allowances(
            @NotNull Duration maxWait,
            @NotNull Duration idleReturn,
            @NotNull Duration exhaustedBackoff,
            @Valid FailOpen failOpen) {

        /** Wait 2 s, give back after 10 s idle, back off 1 s from a spent quota, fail closed. */
        public static final Allowances DEFAULTS =
                new Allowances(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(1), FailOpen.CLOSED);

        public Allowances {
            failOpen = failOpen == null ? FailOpen.CLOSED : failOpen;
        }
    }

    /** What an edge admits unaccounted while analytics is silent, per kind of quota. */
    public record FailOpen(
            @jakarta.validation.constraints.PositiveOrZero long requests,
            @jakarta.validation.constraints.PositiveOrZero long tokens,
            java.math.BigDecimal costUsd) {

        public static final FailOpen CLOSED = new FailOpen(0, 0, java.math.BigDecimal.ZERO);

        public FailOpen {
            costUsd = costUsd == null || costUsd.signum() < 0 ? java.math.BigDecimal.ZERO : costUsd;
        }
    }

    /**
     * How a request moves to another key of its pool, and when a key is left alone for a while.
     *
     * @param maxAttempts most provider calls one client request makes: the first and its fail-overs
     * @param attemptTimeout the longest one attempt waits for the provider's answer to begin; null:
     *     {@code upstream-timeout}
     * @param deadline no fail-over starts later than this after the request arrived, and no attempt
     *     waits for its answer beyond it; null: {@code upstream-timeout}
     * @param failoverStatuses provider statuses after which a request moves to another key (never a
     *     4xx the client caused; only before the first byte reached the client)
     * @param failoverOnTimeout whether an attempt that timed out moves to another key
     * @param failureThreshold 5xx answers or timeouts in a row that cool a key down
     * @param cooldown how long such a key is left alone the first time; doubled each time its
     *     half-open probe fails, up to {@code maxCooldown}
     * @param rateLimitCooldown how long a 429 without a reset hint cools a key down
     * @param maxCooldown the longest cooldown, also the most a provider's {@code retry-after} is honoured
     */
    public record Routing(
            @Positive int maxAttempts,
            Duration attemptTimeout,
            Duration deadline,
            List<Integer> failoverStatuses,
            Boolean failoverOnTimeout,
            @Positive int failureThreshold,
            @NotNull Duration cooldown,
            @NotNull Duration rateLimitCooldown,
            @NotNull Duration maxCooldown) {

        /** 3 attempts; 429, 500, 502, 503, 504 and 529, and timeouts; 3 failures in a row cool a key for 30 s. */
        public static final Routing DEFAULTS = new Routing(
                3,
                null,
                null,
                List.of(429, 500, 502, 503, 504, 529),
                true,
                3,
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofMinutes(5));

        public Routing {
            failoverStatuses = failoverStatuses == null ? DEFAULTS.failoverStatuses : List.copyOf(failoverStatuses);
            failoverOnTimeout = failoverOnTimeout == null || failoverOnTimeout;
        }
    }

    /**
     * @param maxDuration a stream still running after this is ended by the edge with an in-band error
     * @param maxSize a stream that would carry more than this is ended the same way
     */
    public record StreamLimits(@NotNull Duration maxDuration, @NotNull DataSize maxSize) {

        /** 30 minutes, 100 MB. */
        public static final StreamLimits DEFAULTS = new StreamLimits(Duration.ofMinutes(30), DataSize.ofMegabytes(100));
    }

    /**
     * @param perKey refused attempts allowed per key id (within the caller's tenant)
     * @param perTenant refused attempts allowed per tenant, over all its key ids
     */
    public record SplitKeyFailures(@NotNull @Valid FailureLimit perKey, @NotNull @Valid FailureLimit perTenant) {

        /** 10 per key and 100 per tenant, each refilling over 10 minutes. */
        public static final SplitKeyFailures DEFAULTS = new SplitKeyFailures(
                new FailureLimit(10, Duration.ofMinutes(10)), new FailureLimit(100, Duration.ofMinutes(10)));
    }

    /** {@code failures} allowed at once, one more allowed every {@code per / failures}. */
    public record FailureLimit(@Positive int failures, @NotNull Duration per) {}

    /**
     * @param serviceToken authenticates the edge to key-vault-service's internal endpoint
     * @param cacheTtl how long a fetched key is served from memory
     */
    public record KeyVault(@NotNull URI baseUrl, @NotNull Secret serviceToken, @NotNull Duration cacheTtl) {}

    public record Upstream(@NotNull URI baseUrl) {}

    /** @param serviceToken authenticates the edge to admin-api's internal endpoint */
    public record AdminApi(@NotNull URI baseUrl, @NotNull Secret serviceToken) {}

    /** @param serviceToken authenticates the edge to usage-analytics-service's internal endpoint */
    public record Analytics(@NotNull URI baseUrl, @NotNull Secret serviceToken) {}

    /**
     * @param signingKey HMAC-SHA256 key (at least 32 bytes) shared by every edge, so any edge verifies
     *     a token another issued
     * @param ttl lifetime of a token
     */
    public record AppTokens(@NotNull Secret signingKey, @NotNull Duration ttl) {}

    /**
     * @param directory journal segments (newline-delimited JSON); keep it on a persistent volume
     * @param maxSize beyond this, new events are dropped and counted rather than filling the disk
     * @param queueCapacity events waiting in memory for the sender before they overflow to disk
     */
    public record UsageJournal(@NotNull Path directory, @NotNull DataSize maxSize, @Positive int queueCapacity) {}
}
