package dev.symbolon.admin.adminkeys;

import dev.symbolon.admin.auth.AdminKey;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.auth.Role;
import dev.symbolon.admin.idempotency.Idempotency;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/admin-keys}: administrators' credentials. */
@RestController
class AdminKeyController {

    private final AdminKeyAdministration keys;
    private final Idempotency idempotency;

    AdminKeyController(AdminKeyAdministration keys, Idempotency idempotency) {
        this.keys = keys;
        this.idempotency = idempotency;
    }

    @PostMapping("/admin/admin-keys")
    ResponseEntity<Object> issue(
            AdminPrincipal principal,
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody NewAdminKey request) {
        Role role = Role.fromWireName(request.role())
                .orElseThrow(() -> ApiException.badRequest(
                        "role must be one of platform-admin, security-officer, finance, tenant-admin"));
        return idempotency.create(
                principal,
                idempotencyKey,
                List.of("POST /admin/admin-keys", request),
                List.of("key"),
                () -> keys.issue(principal, role, request.tenantId(), request.label()));
    }

    @GetMapping("/admin/admin-keys")
    Page<AdminKey.AdminKeyView> list(
            AdminPrincipal principal,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return keys.list(principal, cursor, limit);
    }

    @DeleteMapping("/admin/admin-keys/{keyId}")
    AdminKey.AdminKeyView revoke(AdminPrincipal principal, @PathVariable String keyId) {
        return keys.revoke(principal, keyId);
    }

    record NewAdminKey(@NotNull String role, String tenantId, @NotBlank @Size(max = 200) String label) {}
}
