package dev.symbolon.admin.apps;

import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.idempotency.Idempotency;
import dev.symbolon.admin.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
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

/** {@code /admin/tenants/{tenantId}/apps}: a tenant's apps and the apps' credentials. */
@RestController
@RequestMapping("/admin/tenants")
class AppController {

    private final Apps apps;
    private final Idempotency idempotency;

    AppController(Apps apps, Idempotency idempotency) {
        this.apps = apps;
        this.idempotency = idempotency;
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
                () -> apps.createApp(principal, tenantId, request.name()));
    }

    @GetMapping("/{tenantId}/apps")
    Page<App.AppView> listApps(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return apps.listApps(principal, tenantId, cursor, limit);
    }

    @GetMapping("/{tenantId}/apps/{appId}")
    App.AppView getApp(AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String appId) {
        return apps.getApp(principal, tenantId, appId);
    }

    @PatchMapping("/{tenantId}/apps/{appId}")
    App.AppView updateApp(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String appId,
            @Valid @RequestBody AppChange request) {
        return apps.updateApp(principal, tenantId, appId, request.name(), request.status());
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
                () -> apps.issueCredential(principal, tenantId, appId, expiresAt));
    }

    @GetMapping("/{tenantId}/apps/{appId}/credentials")
    Page<AppCredential.CredentialView> listCredentials(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String appId,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return apps.listCredentials(principal, tenantId, appId, cursor, limit);
    }

    @DeleteMapping("/{tenantId}/apps/{appId}/credentials/{credentialId}")
    AppCredential.CredentialView revokeCredential(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String appId,
            @PathVariable String credentialId) {
        return apps.revokeCredential(principal, tenantId, appId, credentialId);
    }

    record NewApp(@NotBlank @Size(max = 200) String name) {}

    record AppChange(@Size(min = 1, max = 200) String name, String status) {}

    record NewCredential(Instant expiresAt) {}
}
