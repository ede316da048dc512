package dev.symbolon.admin.apps;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An app's API key, stored as its keyed hash only. */
@Entity
@Table(name = "app_credential")
public class AppCredential {

    @Id
    @Column(name = "credential_id")
    private String credentialId;

    @Column(name = "app_id", nullable = false)
    private String appId;

    @Column(name = "tenant_id", nullable = false)
    private String tenantId;

    @Column(nullable = false, unique = true)
    private String hash;

    @Column(name = "display_prefix", nullable = false)
    private String displayPrefix;

    @Column(nullable = false)
    private String status;

    @Column(name = "expires_at")
    private Instant expiresAt;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    protected AppCredential() {}

    AppCredential(
            String credentialId,
            String appId,
            String tenantId,
            String hash,
            String displayPrefix,
            Instant expiresAt,
            Instant now) {
        this.credentialId = credentialId;
        this.appId = appId;
        this.tenantId = tenantId;
        this.hash = hash;
        this.displayPrefix = displayPrefix;
        this.status = "ACTIVE";
        this.expiresAt = expiresAt;
        this.createdAt = now;
    }

    boolean active() {
        return "ACTIVE".equals(status);
    }

    void revoke(Instant now) {
        status = "REVOKED";
        revokedAt = now;
    }

    public String credentialId() {
        return credentialId;
    }

    public String appId() {
        return appId;
    }

    public String hash() {
        return hash;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    CredentialView view() {
        return new CredentialView(
                credentialId, appId, tenantId, displayPrefix, status, expiresAt, createdAt, revokedAt);
    }

    /** What the API shows of a credential: never the key, never the hash. */
    public record CredentialView(
            String credentialId,
            String appId,
            String tenantId,
            String displayPrefix,
            String status,
            Instant expiresAt,
            Instant createdAt,
            Instant revokedAt) {}
}
