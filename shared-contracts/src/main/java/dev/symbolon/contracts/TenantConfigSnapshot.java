package dev.symbolon.contracts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A tenant's whole policy as the edge and the dispatcher need it ({@code tenant-config.v1},
 * compacted, key tenantId; a null value deletes the tenant). Nothing secret travels here: app
 * credentials appear only as their keyed hash.
 *
 * @param revision increases with every committed change; consumers ignore an older revision
 * @param revokedTokens app tokens revoked before they expire (only those not yet expired)
 */
public record TenantConfigSnapshot(
        UUID eventId,
        Instant occurredAt,
        String tenantId,
        int version,
        long revision,
        Status status,
        String timeZone,
        Policy policy,
        IpRules ipRules,
        List<App> apps,
        List<WebhookEndpoint> webhooks,
        List<RevokedToken> revokedTokens)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    public TenantConfigSnapshot {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(status, "status");
        apps = apps == null ? List.of() : List.copyOf(apps);
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
        revokedTokens = revokedTokens == null ? List.of() : List.copyOf(revokedTokens);
    }

    public enum Status {
        ACTIVE,
        SUSPENDED
    }

    /** An app of the tenant, its credentials (hashes only) and its own policy overrides. */
    public record App(String appId, String name, Status status, Policy policy, List<Credential> credentials) {
        public App {
            credentials = credentials == null ? List.of() : List.copyOf(credentials);
        }
    }

    /**
     * An app API key as the edge checks it: the HMAC-SHA256 of the presented key, never the key.
     *
     * @param expiresAt null when the credential does not expire
     */
    public record Credential(String credentialId, String hash, Status status, Instant expiresAt) {}

    /**
     * Limits and allow-lists; a null field means "not restricted here".
     *
     * @param costPerDayUsd exact decimal dollars, never floating point
     * @param maxStreamSeconds longest a streamed response may run before the edge ends it
     * @param maxStreamBytes most bytes a streamed response may carry before the edge ends it
     * @param overQuota what the edge does with a request whose worst case (prompt estimate plus output
     *     cap, priced) does not fit what remains of a token or cost quota: {@link #REFUSE} (429, the
     *     default, also for null) or {@link #CLAMP} (lower its output cap to what fits)
     * @param byokOnly true: the operator's keys never serve this tenant (or app); a request that names
     *     no key of its own is served by the tenant's managed keys for the provider (a weighted pool),
     *     or refused when it has none
     * @param fallbacks where a request for a model goes when its own provider's keys cannot serve it
     *     (the first rule whose glob matches the model; an app's rules replace its tenant's)
     */
    public record Policy(
            List<String> allowedProviders,
            List<String> allowedModels,
            List<String> allowedEndpoints,
            Long requestsPerMinute,
            Long tokensPerMinute,
            Long requestsPerDay,
            Long requestsPerMonth,
            Long tokensPerDay,
            Long tokensPerMonth,
            BigDecimal costPerDayUsd,
            BigDecimal costPerMonthUsd,
            List<Integer> alertThresholdsPercent,
            Long maxBodyBytes,
            Long maxStreamSeconds,
            Long maxStreamBytes,
            String overQuota,
            Boolean byokOnly,
            List<Fallback> fallbacks) {

        public Policy {
            fallbacks = fallbacks == null ? null : List.copyOf(fallbacks);
        }

        /** Whether the operator's keys may not serve it ({@code byokOnly} true). */
        public boolean requiresOwnKeys() {
            return Boolean.TRUE.equals(byokOnly);
        }

        /** {@code overQuota}: a request whose worst case does not fit a token or cost quota is refused. */
        public static final String REFUSE = "refuse";

        /** {@code overQuota}: such a request has its output cap lowered to what fits, if anything does. */
        public static final String CLAMP = "clamp";

        /** A policy built field by field; a field not set is not restricted. */
        public static Builder builder() {
            return new Builder();
        }

        /** Sets a policy's fields by name (every one null until set). */
        public static final class Builder {
            private List<String> allowedProviders;
            private List<String> allowedModels;
            private List<String> allowedEndpoints;
            private Long requestsPerMinute;
            private Long tokensPerMinute;
            private Long requestsPerDay;
            private Long requestsPerMonth;
            private Long tokensPerDay;
            private Long tokensPerMonth;
            private BigDecimal costPerDayUsd;
            private BigDecimal costPerMonthUsd;
            private List<Integer> alertThresholdsPercent;
            private Long maxBodyBytes;
            private Long maxStreamSeconds;
            private Long maxStreamBytes;
            private String overQuota;
            private Boolean byokOnly;
            private List<Fallback> fallbacks;

            private Builder() {}

            public Builder fallbacks(List<Fallback> fallbacks) {
                this.fallbacks = fallbacks;
                return this;
            }

            public Builder byokOnly(Boolean byokOnly) {
                this.byokOnly = byokOnly;
                return this;
            }

            public Builder allowedProviders(List<String> allowedProviders) {
                this.allowedProviders = allowedProviders;
                return this;
            }

            public Builder allowedModels(List<String> allowedModels) {
                this.allowedModels = allowedModels;
                return this;
            }

            public Builder allowedEndpoints(List<String> allowedEndpoints) {
                this.allowedEndpoints = allowedEndpoints;
                return this;
            }

            public Builder requestsPerMinute(Long requestsPerMinute) {
                this.requestsPerMinute = requestsPerMinute;
                return this;
            }

            public Builder tokensPerMinute(Long tokensPerMinute) {
                this.tokensPerMinute = tokensPerMinute;
                return this;
            }

            public Builder requestsPerDay(Long requestsPerDay) {
                this.requestsPerDay = requestsPerDay;
                return this;
            }

            public Builder requestsPerMonth(Long requestsPerMonth) {
                this.requestsPerMonth = requestsPerMonth;
                return this;
            }

            public Builder tokensPerDay(Long tokensPerDay) {
                this.tokensPerDay = tokensPerDay;
                return this;
            }

            public Builder tokensPerMonth(Long tokensPerMonth) {
                this.tokensPerMonth = tokensPerMonth;
                return this;
            }

            public Builder costPerDayUsd(BigDecimal costPerDayUsd) {
                this.costPerDayUsd = costPerDayUsd;
                return this;
            }

            public Builder costPerMonthUsd(BigDecimal costPerMonthUsd) {
                this.costPerMonthUsd = costPerMonthUsd;
                return this;
            }

            public Builder alertThresholdsPercent(List<Integer> alertThresholdsPercent) {
                this.alertThresholdsPercent = alertThresholdsPercent;
                return this;
            }

            public Builder maxBodyBytes(Long maxBodyBytes) {
                this.maxBodyBytes = maxBodyBytes;
                return this;
            }

            public Builder maxStreamSeconds(Long maxStreamSeconds) {
                this.maxStreamSeconds = maxStreamSeconds;
                return this;
            }

            public Builder maxStreamBytes(Long maxStreamBytes) {
                this.maxStreamBytes = maxStreamBytes;
                return this;
            }

            public Builder overQuota(String overQuota) {
                this.overQuota = overQuota;
                return this;
            }

            public Policy build() {
                return new Policy(
                        allowedProviders,
                        allowedModels,
                        allowedEndpoints,
                        requestsPerMinute,
                        tokensPerMinute,
                        requestsPerDay,
                        requestsPerMonth,
                        tokensPerDay,
                        tokensPerMonth,
                        costPerDayUsd,
                        costPerMonthUsd,
                        alertThresholdsPercent,
                        maxBodyBytes,
                        maxStreamSeconds,
                        maxStreamBytes,
                        overQuota,
                        byokOnly,
                        fallbacks);
            }
        }
    }

    /**
     * Where requests for the models a glob matches go when their own provider's keys cannot serve
     * them (every key failed over from, or the provider unreachable), in order.
     *
     * @param model a model glob ({@code gpt-4o*})
     */
    public record Fallback(String model, List<Target> targets) {
        public Fallback {
            targets = targets == null ? List.of() : List.copyOf(targets);
        }
    }

    /**
     * One place a request may be served instead: a provider of the request's own API family (an
     * OpenAI request goes to OpenAI, Groq, Mistral's OpenAI shape is not one, or an operator's
     * {@code compat:<name>} deployment such as Azure OpenAI or a self-hosted vLLM), the model to ask
     * there, and the key.
     *
     * @param provider the provider to call
     * @param model the model to ask it for; null: the request's own
     * @param keyId one of the tenant's managed keys for that provider; null: the key pool the request
     *     would get there (the operator's, or the tenant's own when its request named a key of its own
     *     or its policy is {@code byokOnly}: never the operator's then)
     */
    public record Target(String provider, String model, String keyId) {}

    /** CIDR rules, IPv4 and IPv6. A non-empty allow list denies everything else; deny wins. */
    public record IpRules(List<String> allow, List<String> deny) {
        public IpRules {
            allow = allow == null ? List.of() : List.copyOf(allow);
            deny = deny == null ? List.of() : List.copyOf(deny);
        }
    }

    /**
     * An app token ({@code POST /auth/token}) revoked before its expiry; every edge refuses it.
     *
     * @param tokenId the token's {@code jti}
     * @param expiresAt when the token would have expired anyway (then it leaves the snapshot)
     */
    public record RevokedToken(String tokenId, String appId, Instant expiresAt) {}

    /** Where the dispatcher delivers; the signing secret lives in the key store, not here. */
    public record WebhookEndpoint(String endpointId, String url, List<String> eventTypes, boolean active) {
        public WebhookEndpoint {
            eventTypes = eventTypes == null ? List.of() : List.copyOf(eventTypes);
        }
    }
}
