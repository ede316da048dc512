package dev.symbolon.admin.webhooks;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.audit.Changes;
import dev.symbolon.admin.auth.Access.Operation;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.keyvault.KeyVaultClient;
import dev.symbolon.admin.tenants.Tenant;
import dev.symbolon.admin.tenants.TenantChanges;
import dev.symbolon.admin.tenants.TenantScope;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Ids;
import dev.symbolon.admin.web.Page;
import dev.symbolon.contracts.Notification;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.TargetGuard;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tenants' webhook endpoints. The signing secret ({@code whsec_…}, Standard Webhooks format) is
 * generated here, handed to key-vault-service before the change commits, and shown to the caller once;
 * admin-api keeps only the version number. Rotation adds a version and keeps the previous one, so the
 * dispatcher signs with both until the next rotation.
 */
@Service
class TenantWebhooks {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final TenantScope scope;
    private final WebhookStore webhooks;
    private final TenantChanges changes;
    private final KeyVaultClient keyVault;
    private final AuditLog audit;
    private final TargetGuard targets;
    private final Clock clock = Clock.systemUTC();

    TenantWebhooks(
            TenantScope scope,
            WebhookStore webhooks,
            TenantChanges changes,
            KeyVaultClient keyVault,
            AuditLog audit,
            AdminProperties properties) {
        this.scope = scope;
        this.webhooks = webhooks;
        this.changes = changes;
        this.keyVault = keyVault;
        this.audit = audit;
        this.targets = new TargetGuard(
                properties.webhooks().allowLoopback(), properties.webhooks().requireHttps());
    }

    @Transactional
    public WithSecret create(
            AdminPrincipal actor, String tenantId, String url, List<String> eventTypes, Boolean active) {
        Tenant tenant = scope.tenant(actor, Operation.WEBHOOK_WRITE, tenantId);
        Instant now = clock.instant();
        WebhookStore.WebhookView endpoint = new WebhookStore.WebhookView(
                Ids.id("we_"), tenantId, url(url), eventTypes(eventTypes), active == null || active, 1, now, now);
        Secret secret = newSecret();
        keyVault.storeWebhookSecret(tenantId, endpoint.endpointId(), 1, secret);
        webhooks.save(endpoint);
        changes.changed(tenant, now);
        audit.record(
                actor,
                "webhook.created",
                tenantId,
                endpoint.endpointId(),
                Changes.of()
                        .put("url", endpoint.url())
                        .put("eventTypes", String.join(",", endpoint.eventTypes()))
                        .toMap());
        return new WithSecret(endpoint, secret.reveal());
    }

    @Transactional(readOnly = true)
    public Page<WebhookStore.WebhookView> list(
            AdminPrincipal actor, String tenantId, String cursor, Integer requested) {
        scope.tenant(actor, Operation.WEBHOOK_READ, tenantId);
        int limit = Page.limit(requested);
        return Page.of(
                webhooks.list(tenantId, Page.after(cursor), limit + 1), limit, WebhookStore.WebhookView::endpointId);
    }

    @Transactional(readOnly = true)
    public WebhookStore.WebhookView get(AdminPrincipal actor, String tenantId, String endpointId) {
        scope.tenant(actor, Operation.WEBHOOK_READ, tenantId);
        return endpoint(tenantId, endpointId);
    }

    @Transactional
    public WebhookStore.WebhookView update(
            AdminPrincipal actor,
            String tenantId,
            String endpointId,
            String url,
            List<String> eventTypes,
            Boolean active) {
        Tenant tenant = scope.tenant(actor, Operation.WEBHOOK_WRITE, tenantId);
        WebhookStore.WebhookView before = endpoint(tenantId, endpointId);
        Instant now = clock.instant();
        WebhookStore.WebhookView after = new WebhookStore.WebhookView(
                endpointId,
                tenantId,
                url == null ? before.url() : url(url),
                eventTypes == null ? before.eventTypes() : eventTypes(eventTypes),
                active == null ? before.active() : active,
                before.secretVersion(),
                before.createdAt(),
                now);
        webhooks.save(after);
        changes.changed(tenant, now);
        audit.record(
                actor,
                "webhook.updated",
                tenantId,
                endpointId,
                Changes.of()
                        .field("url", before.url(), after.url())
                        .field(
                                "eventTypes",
                                String.join(",", before.eventTypes()),
                                String.join(",", after.eventTypes()))
                        .field("active", Boolean.toString(before.active()), Boolean.toString(after.active()))
                        .toMap());
        return after;
    }

    /** A new secret version; the previous one stays valid, older ones are destroyed. */
    @Transactional
    public WithSecret rotateSecret(AdminPrincipal actor, String tenantId, String endpointId) {
        scope.tenant(actor, Operation.WEBHOOK_WRITE, tenantId);
        WebhookStore.WebhookView before = endpoint(tenantId, endpointId);
        int version = before.secretVersion() + 1;
        Secret secret = newSecret();
        keyVault.storeWebhookSecret(tenantId, endpointId, version, secret);
        if (version > 2) {
            keyVault.destroyWebhookSecret(tenantId, endpointId, version - 2);
        }
        WebhookStore.WebhookView after = new WebhookStore.WebhookView(
                endpointId,
                tenantId,
                before.url(),
                before.eventTypes(),
                before.active(),
                version,
                before.createdAt(),
                clock.instant());
        webhooks.save(after);
        audit.record(
                actor,
                "webhook.secret_rotated",
                tenantId,
                endpointId,
                Changes.of().put("version", Integer.toString(version)).toMap());
        return new WithSecret(after, secret.reveal());
    }

    @Transactional
    public void delete(AdminPrincipal actor, String tenantId, String endpointId) {
        Tenant tenant = scope.tenant(actor, Operation.WEBHOOK_WRITE, tenantId);
        WebhookStore.WebhookView endpoint = endpoint(tenantId, endpointId);
        keyVault.destroyWebhookSecret(tenantId, endpointId, null);
        webhooks.delete(endpointId);
        changes.changed(tenant, clock.instant());
        audit.record(
                actor,
                "webhook.deleted",
                tenantId,
                endpointId,
                Changes.of().put("url", endpoint.url()).toMap());
    }

    private WebhookStore.WebhookView endpoint(String tenantId, String endpointId) {
        return webhooks.find(tenantId, endpointId).orElseThrow(() -> ApiException.notFound("webhook endpoint"));
    }

    /**
     * An endpoint URL the dispatcher would deliver to: the same rule ({@link TargetGuard}), so an
     * internal address (cloud metadata, RFC 1918, loopback outside local mode, every IPv6 wrapper of
     * them, internal names, ambiguous IPv4 literals) is refused here, not at the first delivery.
     */
    private String url(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            throw ApiException.badRequest("url is not a valid URL");
        }
        if (uri.getRawFragment() != null || url.length() > 2048) {
            throw ApiException.badRequest("url must have no fragment and at most 2048 characters");
        }
        try {
            targets.check(uri);
        } catch (TargetGuard.Refused refused) {
            throw ApiException.badRequest("url is refused: " + refused.getMessage());
        }
        return uri.toString();
    }

    private static List<String> eventTypes(List<String> eventTypes) {
        if (eventTypes == null || eventTypes.isEmpty()) {
            throw ApiException.badRequest("eventTypes must name at least one of " + Notification.TYPES);
        }
        for (String type : eventTypes) {
            if (!Notification.TYPES.contains(type)) {
                throw ApiException.badRequest("unknown event type '" + type + "'; known: " + Notification.TYPES);
            }
        }
        return List.copyOf(new LinkedHashSet<>(eventTypes));
    }

    private static Secret newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Secret.of("whsec_" + Base64.getEncoder().encodeToString(bytes));
    }

    /** An endpoint and its new signing secret, shown once. */
    public record WithSecret(WebhookStore.WebhookView endpoint, String secret) {
        @Override
        public String toString() {
            return "WithSecret[" + endpoint.endpointId() + "]";
        }
    }
}
