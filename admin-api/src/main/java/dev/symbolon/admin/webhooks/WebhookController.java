package dev.symbolon.admin.webhooks;

import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.idempotency.Idempotency;
import dev.symbolon.admin.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.http.HttpStatus;
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
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/tenants/{tenantId}/webhooks}: where a tenant's notifications go. */
@RestController
@RequestMapping("/admin/tenants/{tenantId}/webhooks")
class WebhookController {

    private final TenantWebhooks webhooks;
    private final Idempotency idempotency;

    WebhookController(TenantWebhooks webhooks, Idempotency idempotency) {
        this.webhooks = webhooks;
        this.idempotency = idempotency;
    }

    @PostMapping
    ResponseEntity<Object> create(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody NewEndpoint request) {
        return idempotency.create(
                principal,
                idempotencyKey,
                List.of("POST /webhooks", tenantId, request),
                List.of("secret"),
                () -> webhooks.create(principal, tenantId, request.url(), request.eventTypes(), request.active()));
    }

    @GetMapping
    Page<WebhookStore.WebhookView> list(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return webhooks.list(principal, tenantId, cursor, limit);
    }

    @GetMapping("/{endpointId}")
    WebhookStore.WebhookView get(
            AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String endpointId) {
        return webhooks.get(principal, tenantId, endpointId);
    }

    @PatchMapping("/{endpointId}")
    WebhookStore.WebhookView update(
            AdminPrincipal principal,
            @PathVariable String tenantId,
            @PathVariable String endpointId,
            @Valid @RequestBody EndpointChange request) {
        return webhooks.update(principal, tenantId, endpointId, request.url(), request.eventTypes(), request.active());
    }

    @PostMapping("/{endpointId}/rotate-secret")
    TenantWebhooks.WithSecret rotate(
            AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String endpointId) {
        return webhooks.rotateSecret(principal, tenantId, endpointId);
    }

    @DeleteMapping("/{endpointId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(AdminPrincipal principal, @PathVariable String tenantId, @PathVariable String endpointId) {
        webhooks.delete(principal, tenantId, endpointId);
    }

    record NewEndpoint(@NotBlank @Size(max = 2048) String url, @NotEmpty List<String> eventTypes, Boolean active) {}

    record EndpointChange(@Size(min = 1, max = 2048) String url, List<String> eventTypes, Boolean active) {}
}
