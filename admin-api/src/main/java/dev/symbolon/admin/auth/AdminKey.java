package dev.symbolon.admin.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An administrator's credential, stored as its keyed hash only. */
@Entity
@Table(name = "admin_key")
public class AdminKey {

    @Id
    @Column(name = "key_id")
    private String keyId;

    @Column(nullable = false, unique = true)
    private String hash;

    @Column(name = "display_prefix", nullable = false)
    private String displayPrefix;

    @Column(nullable = false)
    private String role;

    @Column(name = "tenant_id")
    private String tenantId;

    @Column(nullable = false)
    private String label;

    @Column(nullable = false)
    private String status;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "created_by", nullable = false)
    private String createdBy;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    protected AdminKey() {}

    public AdminKey(
            String keyId,
            String hash,
            String displayPrefix,
            Role role,
            String tenantId,
            String label,
            String createdBy,
            Instant now) {
        this.keyId = keyId;
        this.hash = hash;
        this.displayPrefix = displayPrefix;
        this.role = role.wireName();
        this.tenantId = tenantId;
        this.label = label;
        this.status = "ACTIVE";
        this.createdAt = now;
        this.createdBy = createdBy;
    }

    public boolean active() {
        return "ACTIVE".equals(status);
    }

    public void revoke(Instant now) {
        status = "REVOKED";
        revokedAt = now;
    }

    AdminPrincipal principal() {
        return new AdminPrincipal(keyId, Role.fromWireName(role).orElseThrow(), tenantId);
    }

    public AdminKeyView view() {
        return new AdminKeyView(keyId, displayPrefix, role, tenantId, label, status, createdAt, createdBy, revokedAt);
    }

    /** What the API shows of an admin key: never the key. */
    public record AdminKeyView(
            String keyId,
            String displayPrefix,
            String role,
            String tenantId,
            String label,
            String status,
            Instant createdAt,
            String createdBy,
            Instant revokedAt) {}
}
