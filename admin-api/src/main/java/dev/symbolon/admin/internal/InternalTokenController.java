package dev.symbolon.admin.internal;

import dev.symbolon.admin.apps.TokenRevocations;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.Map;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** What the edge asks of admin-api. Service-authenticated (service-support's {@code ServiceTokenFilter}). */
@RestController
class InternalTokenController {

    private final TokenRevocations revocations;

    InternalTokenController(TokenRevocations revocations) {
        this.revocations = revocations;
    }

    /**
     * An app revoked one of its tokens at an edge.
     *
     * @param sourceIp the app's address as the edge saw it, for the audit log
     */
    record Revocation(
            @NotBlank String tenantId,
            @NotBlank String appId,
            @NotBlank String tokenId,
            @NotNull Instant expiresAt,
            String sourceIp) {}

    @PostMapping("/internal/v1/app-token-revocations")
    Map<String, Object> revoke(
            @Valid @RequestBody Revocation revocation,
            @RequestHeader(name = "x-request-id", required = false) String requestId) {
        boolean revoked = revocations.revoke(
                revocation.tenantId(),
                revocation.appId(),
                revocation.tokenId(),
                revocation.expiresAt(),
                revocation.sourceIp(),
                requestId);
        return Map.of("tokenId", revocation.tokenId(), "revoked", revoked);
    }
}
