package dev.symbolon.admin.auth;

import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Idempotency;
import dev.symbolon.admin.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/** Admin identity: who am I, token exchange, the public JWK set, and admin keys. */
@RestController
class AuthController {

    private final AdminTokens tokens;
    private final AdminKeys keys;
    private final Idempotency idempotency;

    AuthController(AdminTokens tokens, AdminKeys keys, Idempotency idempotency) {
        this.tokens = tokens;
        this.keys = keys;
        this.idempotency = idempotency;
    }

    @GetMapping("/admin/whoami")
    AdminPrincipal whoami(AdminPrincipal principal) {
        return principal.identity();
    }

    /**
     * Exchanges the presented credential (bootstrap token or admin key) for a short-lived JWT. A token
     * buys no token: otherwise one token, renewed before it expires, would outlive the key it came
     * from.
     */
    @PostMapping("/admin/auth/token")
    Map<String, Object> token(AdminPrincipal principal, ServerWebExchange exchange) {
        if (AdminAuthentication.viaToken(exchange)) {
            throw new ApiException(
                    HttpStatus.FORBIDDEN,
                    "token_not_exchangeable",
                    "A token cannot be exchanged for a token; present an admin key.");
        }
        AdminTokens.IssuedToken issued = tokens.issue(principal.identity(), AdminAuthentication.adminKeyOf(exchange));
        return Map.of(
                "access_token", issued.token(),
                "token_type", "Bearer",
                "expires_in", issued.expiresIn().toSeconds());
    }

    @GetMapping(path = AdminAuthentication.JWKS_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    String jwks() {
        return tokens.jwks();
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
