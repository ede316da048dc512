package dev.symbolon.admin.policies;

import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.idempotency.Idempotency;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.KnownProvider;
import dev.symbolon.admin.web.Page;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.TenantConfigSnapshot.Policy;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Policies of tenants and apps; IP rules of tenants and global ones. */
@RestController
class PolicyController {

    private final TenantPolicies policies;
    private final Idempotency idempotency;

    PolicyController(TenantPolicies policies, Idempotency idempotency) {
        this.policies = policies;
        this.idempotency = idempotency;
    }

    @GetMapping("/admin/tenants/{tenantId}/policy")
    Policy tenantPolicy(AdminPrincipal principal, @PathVariable String tenantId) {
        return policies.tenantPolicy(principal, tenantId).orElseThrow(() -> ApiException.notFound("policy"));
    }

    @PutMapping("/admin/tenants/{tenantId}/policy")
    Policy setTenantPolicy(
            AdminPrincipal principal, @PathVariable String tenantId, @Valid @RequestBody PolicyRequest request) {
        return policies.setTenantPolicy(principal, tenantId, request.toPolicy()).orElseThrow();
    }

    @DeleteMapping("/admin/tenants/{tenantId}/policy")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeTenantPolicy(AdminPrincipal principal, @PathVariable String tenantId) {
        policies.setTenantPolicy(principal, tenantId, null);
    }

    @GetMapping("/admin/tenants/{tenantId}/apps/{appId}/policy")
    Policy appPolicy(AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String appId) {
        return policies.appPolicy(principal, tenantId, appId).orElseThrow(() -> ApiException.notFound("policy"));
    }

    @PutMapping("/admin/tenants/{tenantId}/apps/{appId}/policy")
    Policy setAppPolicy(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String appId,
            @Valid @RequestBody PolicyRequest request) {
        return policies.setAppPolicy(principal, tenantId, appId, request.toPolicy())
                .orElseThrow();
    }

    @DeleteMapping("/admin/tenants/{tenantId}/apps/{appId}/policy")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeAppPolicy(AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String appId) {
        policies.setAppPolicy(principal, tenantId, appId, null);
    }

    @GetMapping("/admin/tenants/{tenantId}/ip-rules")
    Page<IpRuleStore.IpRuleView> tenantRules(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return policies.ipRules(principal, tenantId, cursor, limit);
    }

    @PostMapping("/admin/tenants/{tenantId}/ip-rules")
    ResponseEntity<Object> addTenantRule(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody IpRuleRequest request) {
        return idempotency.create(
                principal,
                idempotencyKey,
                List.of("POST /ip-rules", tenantId, request),
                List.of(),
                () -> policies.addIpRule(principal, tenantId, request.kind(), request.cidr(), request.description()));
    }

    @DeleteMapping("/admin/tenants/{tenantId}/ip-rules/{ruleId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeTenantRule(AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String ruleId) {
        policies.removeIpRule(principal, tenantId, ruleId);
    }

    @GetMapping("/admin/ip-rules")
    Page<IpRuleStore.IpRuleView> globalRules(
            AdminPrincipal principal,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return policies.ipRules(principal, null, cursor, limit);
    }

    @PostMapping("/admin/ip-rules")
    ResponseEntity<Object> addGlobalRule(
            AdminPrincipal principal,
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody IpRuleRequest request) {
        return idempotency.create(
                principal,
                idempotencyKey,
                List.of("POST /admin/ip-rules", request),
                List.of(),
                () -> policies.addIpRule(principal, null, request.kind(), request.cidr(), request.description()));
    }

    @DeleteMapping("/admin/ip-rules/{ruleId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeGlobalRule(AdminPrincipal principal, @PathVariable String ruleId) {
        policies.removeIpRule(principal, null, ruleId);
    }

    record IpRuleRequest(
            @NotNull @Pattern(regexp = "ALLOW|DENY", message = "must be ALLOW or DENY") String kind,
            @NotBlank String cidr,
            @Size(max = 200) String description) {}

    /**
     * A policy as clients send it; a missing field means "not restricted here". Money is an exact
     * decimal with at most six fractional digits (micro-dollars).
     */
    record PolicyRequest(
            @Size(max = 20) List<@KnownProvider String> allowedProviders,
            @Size(max = 100)
                    List<
                                    @NotBlank @Size(max = 100)
                                    @Pattern(regexp = "[A-Za-z0-9._:/*@-]+", message = "model name or glob") String>
                            allowedModels,
            @Size(max = 100)
                    List<
                                    @Pattern(
                                            regexp = "(/[A-Za-z0-9_:-][A-Za-z0-9._:-]*)+",
                                            message = "a normalized path like /chat/completions")
                                    String>
                            allowedEndpoints,
            @Positive Long requestsPerMinute,
            @Positive Long tokensPerMinute,
            @Positive Long requestsPerDay,
            @Positive Long requestsPerMonth,
            @Positive Long tokensPerDay,
            @Positive Long tokensPerMonth,
            @PositiveOrZero @Digits(integer = 12, fraction = 6) BigDecimal costPerDayUsd,
            @PositiveOrZero @Digits(integer = 12, fraction = 6) BigDecimal costPerMonthUsd,
            @Size(max = 10) List<@NotNull @Min(1) @Max(100) Integer> alertThresholdsPercent,
            @Positive @Max(104_857_600) Long maxBodyBytes,
            @Positive @Max(86_400) Long maxStreamSeconds,
            @Positive Long maxStreamBytes,
            @Pattern(regexp = "refuse|clamp", message = "must be refuse or clamp") String overQuota,
            Boolean byokOnly,
            @Size(max = 20) List<@NotNull @Valid FallbackRequest> fallbacks) {

        Policy toPolicy() {

            if (alertThresholdsPercent != null
                    && alertThresholdsPercent.stream().distinct().count() != alertThresholdsPercent.size()) {
                throw ApiException.badRequest("alertThresholdsPercent must not repeat a value");
            }
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
                    alertThresholdsPercent == null
                            ? null
                            : alertThresholdsPercent.stream().sorted().toList(),
                    maxBodyBytes,
                    maxStreamSeconds,
                    maxStreamBytes,
                    overQuota,
                    byokOnly,
                    fallbacks == null
                            ? null
                            : fallbacks.stream()
                                    .map(FallbackRequest::toFallback)
                                    .toList());
        }
    }

    /**
     * Where requests for the models a glob matches go once their own provider's keys are spent: up to
     * five targets in order, each a provider of the request's API family, optionally another model and
     * one of the tenant's managed keys.
     */
    record FallbackRequest(
            @NotBlank @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9._:/*@-]+", message = "model name or glob")
                    String model,
            @NotNull @Size(min = 1, max = 5) List<@NotNull @Valid TargetRequest> targets) {

        TenantConfigSnapshot.Fallback toFallback() {
            return new TenantConfigSnapshot.Fallback(
                    model, targets.stream().map(TargetRequest::toTarget).toList());
        }
    }

    record TargetRequest(
            @NotNull @KnownProvider String provider,
            @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9._:/@-]+", message = "a model name") String model,
            @Pattern(regexp = "key_[a-z0-9]{1,60}", message = "a key id like key_…") String keyId) {

        TenantConfigSnapshot.Target toTarget() {
            return new TenantConfigSnapshot.Target(provider, model, keyId);
        }
    }
}
