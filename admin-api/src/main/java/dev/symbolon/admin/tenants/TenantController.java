package dev.symbolon.admin.tenants;

import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.idempotency.Idempotency;
import dev.symbolon.admin.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/tenants}: the tenants themselves (their apps, policies and webhooks have controllers of their own). */
@RestController
@RequestMapping("/admin/tenants")
class TenantController {

    private final Tenants tenants;
    private final Idempotency idempotency;

    TenantController(Tenants tenants, Idempotency idempotency) {
        this.tenants = tenants;
        this.idempotency = idempotency;
    }

    @PostMapping
    ResponseEntity<Object> create(
            AdminPrincipal principal,
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody NewTenant request) {
        return idempotency.create(
                principal,
                idempotencyKey,
                List.of("POST /admin/tenants", request),
                List.of(),
                () -> tenants.create(principal, request.name(), request.timeZone(), request.plan()));
    }

    @GetMapping
    Page<Tenant.TenantView> list(
            AdminPrincipal principal,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return tenants.list(principal, cursor, limit);
    }

    @GetMapping("/{tenantId}")
    Tenant.TenantView get(AdminPrincipal principal, @PathVariable String tenantId) {
        return tenants.get(principal, tenantId);
    }

    @PatchMapping("/{tenantId}")
    Tenant.TenantView update(
            AdminPrincipal principal, @PathVariable String tenantId, @Valid @RequestBody TenantChange request) {
        return tenants.update(
                principal, tenantId, request.name(), request.status(), request.timeZone(), request.plan());
    }

    record NewTenant(
            @NotBlank @Size(max = 200) String name,
            @NotBlank String timeZone,
            @NotBlank @Pattern(regexp = "[a-z][a-z0-9-]{0,31}", message = "lowercase word, e.g. pro") String plan) {}

    record TenantChange(
            @Size(min = 1, max = 200) String name,
            String status,
            String timeZone,
            @Pattern(regexp = "[a-z][a-z0-9-]{0,31}", message = "lowercase word, e.g. pro") String plan) {}
}
