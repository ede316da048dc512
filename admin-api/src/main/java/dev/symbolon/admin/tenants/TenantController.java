package dev.symbolon.admin.tenants;

import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.web.Idempotency;
import dev.symbolon.admin.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/tenants}: tenants, their apps, and the apps' credentials. */
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

    @PostMapping("/{tenantId}/apps")
    ResponseEntity<Object> createApp(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody NewApp request) {
        return idempotency.create(
                principal,
                idempotencyKey,
                List.of("POST /apps", tenantId, request),
                List.of(),
                () -> tenants.createApp(principal, tenantId, request.name()));
    }

    @GetMapping("/{tenantId}/apps")
    Page<App.AppView> listApps(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return tenants.listApps(principal, tenantId, cursor, limit);
    }

    @GetMapping("/{tenantId}/apps/{appId}")
    App.AppView getApp(AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String appId) {
        return tenants.getApp(principal, tenantId, appId);
    }

    @PatchMapping("/{tenantId}/apps/{appId}")
    App.AppView updateApp(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String appId,
            @Valid @RequestBody AppChange request) {
        return tenants.updateApp(principal, tenantId, appId, request.name(), request.status());
    }

    @PostMapping("/{tenantId}/apps/{appId}/credentials")
    ResponseEntity<Object> issueCredential(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String appId,
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            @RequestBody(required = false) NewCredential request) {
        Instant expiresAt = request == null ? null : request.expiresAt();
        return idempotency.create(
                principal,
                idempotencyKey,
                java.util.Arrays.asList("POST /credentials", tenantId, appId, expiresAt),
                List.of("key"),
                () -> tenants.issueCredential(principal, tenantId, appId, expiresAt));
    }

    @GetMapping("/{tenantId}/apps/{appId}/credentials")
    Page<AppCredential.CredentialView> listCredentials(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String appId,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return tenants.listCredentials(principal, tenantId, appId, cursor, limit);
    }

    @DeleteMapping("/{tenantId}/apps/{appId}/credentials/{credentialId}")
    AppCredential.CredentialView revokeCredential(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String appId,
            @PathVariable String credentialId) {
        return tenants.revokeCredential(principal, tenantId, appId, credentialId);
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

    record NewApp(@NotBlank @Size(max = 200) String name) {}

    record AppChange(@Size(min = 1, max = 200) String name, String status) {}

    record NewCredential(Instant expiresAt) {}
}
