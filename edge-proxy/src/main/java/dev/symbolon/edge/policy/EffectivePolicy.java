package dev.symbolon.edge.policy;

import dev.symbolon.contracts.Cidr;
import dev.symbolon.contracts.QuotaPeriods;
import dev.symbolon.contracts.TenantConfigSnapshot.Fallback;
import dev.symbolon.contracts.TenantConfigSnapshot.IpRules;
import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import dev.symbolon.contracts.TenantConfigSnapshot.Target;
import java.net.InetAddress;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one app of one tenant may do, compiled once when its snapshot arrives so that the request
 * path only matches: the tenant's and the app's policies both apply (an app can narrow its tenant,
 * never widen it), and the tenant's IP rules.
 */
public final class EffectivePolicy {

    /** Nothing restricted: for tenants without policy or rules. */
    public static final EffectivePolicy OPEN = new EffectivePolicy(null, null, null, null);

    private final List<Level> levels;
    private final IpList ips;
    private final Long maxBodyBytes;
    private final Long maxStreamSeconds;
    private final Long maxStreamBytes;
    private final Long tenantRequestsPerMinute;
    private final Long appRequestsPerMinute;
    private final Long tenantTokensPerMinute;
    private final Long appTokensPerMinute;
    private final QuotaLimits tenantQuotas;
    private final QuotaLimits appQuotas;
    private final ZoneId zone;
    private final boolean clampOverQuota;
    private final boolean requiresOwnKeys;
    private final List<Rule> fallbacks;

    private EffectivePolicy(Policy tenant, Policy app, IpRules ipRules, String timeZone) {
        List<Level> compiled = new ArrayList<>();
        if (tenant != null) {
            compiled.add(Level.of(tenant));
        }
        if (app != null) {
            compiled.add(Level.of(app));
        }
        this.levels = List.copyOf(compiled);
        this.ips = IpList.of(ipRules);
        this.maxBodyBytes =
                minimum(tenant == null ? null : tenant.maxBodyBytes(), app == null ? null : app.maxBodyBytes());
        this.maxStreamSeconds =
                minimum(tenant == null ? null : tenant.maxStreamSeconds(), app == null ? null : app.maxStreamSeconds());
        this.maxStreamBytes =
                minimum(tenant == null ? null : tenant.maxStreamBytes(), app == null ? null : app.maxStreamBytes());
        this.tenantRequestsPerMinute = tenant == null ? null : tenant.requestsPerMinute();
        this.appRequestsPerMinute = app == null ? null : app.requestsPerMinute();
        this.tenantTokensPerMinute = tenant == null ? null : tenant.tokensPerMinute();
        this.appTokensPerMinute = app == null ? null : app.tokensPerMinute();
        this.tenantQuotas = QuotaLimits.of(tenant);
        this.appQuotas = QuotaLimits.of(app);
        this.zone = QuotaPeriods.zone(timeZone);
        String overQuota =
                app != null && app.overQuota() != null ? app.overQuota() : tenant == null ? null : tenant.overQuota();
        this.clampOverQuota = Policy.CLAMP.equals(overQuota);
        this.requiresOwnKeys = (tenant != null && tenant.requiresOwnKeys()) || (app != null && app.requiresOwnKeys());
        List<Fallback> named = app != null && app.fallbacks() != null
                ? app.fallbacks()
                : tenant == null || tenant.fallbacks() == null ? List.of() : tenant.fallbacks();
        this.fallbacks = named.stream()
                .filter(f -> f.model() != null && !f.targets().isEmpty())
                .map(f -> new Rule(glob(f.model()), f.targets()))
                .toList();
    }

    /**
     * Where a request for this model goes when its own provider's keys cannot serve it: the targets of
     * the first fallback rule whose glob matches (the app's rules, else its tenant's); empty when none.
     */
    public List<Target> fallbacksFor(String model) {
        if (model == null || fallbacks.isEmpty()) {
            return List.of();
        }
        for (Rule rule : fallbacks) {
            if (rule.model.matcher(model).matches()) {
                return rule.targets;
            }
        }
        return List.of();
    }

    private record Rule(Pattern model, List<Target> targets) {}

    /**
     * Whether the operator's keys may never serve this app: the tenant's or the app's policy is
     * {@code byokOnly} (an app can require it of itself, never lift its tenant's).
     */
    public boolean requiresOwnKeys() {
        return requiresOwnKeys;
    }

    /**
     * Whether a request whose worst case does not fit a token or cost quota has its output cap lowered
     * to what fits (the app's choice, else the tenant's), instead of being refused.
     */
    public boolean clampsOverQuota() {
        return clampOverQuota;
    }

    /** For a tenant on UTC. */
    public static EffectivePolicy of(Policy tenant, Policy app, IpRules ipRules) {
        return of(tenant, app, ipRules, null);
    }

    public static EffectivePolicy of(Policy tenant, Policy app, IpRules ipRules, String timeZone) {
        if (tenant == null
                && app == null
                && (ipRules == null
                        || (ipRules.allow().isEmpty() && ipRules.deny().isEmpty()))) {
            return OPEN;
        }
        return new EffectivePolicy(tenant, app, ipRules, timeZone);
    }

    public boolean allowsProvider(String provider) {
        return levels.stream().allMatch(level -> level.providers == null || level.providers.contains(provider));
    }

    /** Whole-segment match on the decoded path: {@code /chat/completions} allows {@code /chat/completions/x}, not {@code /chat/completions-x}. */
    public boolean allowsEndpoint(String endpoint) {
        return levels.stream()
                .allMatch(level -> level.endpoints == null
                        || level.endpoints.stream()
                                .anyMatch(allowed -> endpoint.equals(allowed)
                                        || endpoint.startsWith(allowed.endsWith("/") ? allowed : allowed + "/")));
    }

    /** Whether the tenant's or the app's policy has an endpoint allow-list of its own. */
    public boolean namesEndpoints() {
        return levels.stream().anyMatch(level -> level.endpoints != null);
    }

    /** Whether the tenant's or the app's policy has a model allow-list. */
    public boolean restrictsModels() {
        return levels.stream().anyMatch(level -> level.models != null);
    }

    /** Model allow-lists are globs ({@code gpt-4o*}); a request without a model passes them. */
    public boolean allowsModel(String model) {
        return model == null
                || levels.stream()
                        .allMatch(level -> level.models == null
                                || level.models.stream()
                                        .anyMatch(glob -> glob.matcher(model).matches()));
    }

    public boolean allowsAddress(InetAddress client) {
        return ips.allows(client);
    }

    /** The smallest body limit of tenant and app, or null when neither sets one. */
    public Long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The shortest stream duration limit of tenant and app, in seconds; null when neither sets one. */
    public Long maxStreamSeconds() {
        return maxStreamSeconds;
    }

    /** The smallest stream size limit of tenant and app, in bytes; null when neither sets one. */
    public Long maxStreamBytes() {
        return maxStreamBytes;
    }

    /** Requests per minute of the whole tenant, or null when unlimited. */
    public Long tenantRequestsPerMinute() {
        return tenantRequestsPerMinute;
    }

    public Long appRequestsPerMinute() {
        return appRequestsPerMinute;
    }

    public Long tenantTokensPerMinute() {
        return tenantTokensPerMinute;
    }

    public Long appTokensPerMinute() {
        return appTokensPerMinute;
    }

    /** The tenant's daily and monthly quotas, or null when it has none. */
    public QuotaLimits tenantQuotas() {
        return tenantQuotas;
    }

    /** The app's own daily and monthly quotas, or null when it has none. */
    public QuotaLimits appQuotas() {
        return appQuotas;
    }

    /** Whether any daily or monthly quota applies (if not, the request path skips them entirely). */
    public boolean hasQuotas() {
        return tenantQuotas != null || appQuotas != null;
    }

    /** The tenant's time zone: quota days and months are its calendar days and months. */
    public ZoneId zone() {
        return zone;
    }

    private static Long minimum(Long a, Long b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : Math.min(a, b);
    }

    private record Level(List<String> providers, List<String> endpoints, List<Pattern> models) {
        static Level of(Policy policy) {
            return new Level(
                    policy.allowedProviders(),
                    policy.allowedEndpoints(),
                    policy.allowedModels() == null
                            ? null
                            : policy.allowedModels().stream()
                                    .map(EffectivePolicy::glob)
                                    .toList());
        }
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    /** CIDR rules of one level: deny wins; a non-empty allow list refuses everything not on it. */
    public record IpList(List<Cidr> allow, List<Cidr> deny) {

        public static final IpList NONE = new IpList(List.of(), List.of());

        public static IpList of(IpRules rules) {
            if (rules == null) {
                return NONE;
            }
            return new IpList(parse(rules.allow()), parse(rules.deny()));
        }

        public boolean allows(InetAddress client) {
            if (deny.stream().anyMatch(cidr -> cidr.contains(client))) {
                return false;
            }
            return allow.isEmpty() || allow.stream().anyMatch(cidr -> cidr.contains(client));
        }

        private static List<Cidr> parse(List<String> cidrs) {
            return cidrs.stream().filter(Objects::nonNull).map(Cidr::parse).toList();
        }
    }
}
