package dev.symbolon.admin.auth;

import dev.symbolon.admin.web.ApiException;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/** Admin identity: who am I, token exchange, the public JWK set (admin keys: {@code adminkeys}). */
@RestController
class AuthController {

    private final AdminTokens tokens;

    AuthController(AdminTokens tokens) {
        this.tokens = tokens;
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
}
