package dev.symbolon.keyvault.keys;

import dev.symbolon.contracts.KeyLifecycleEvent.KeyKind;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** What PostgreSQL knows of a provider key: everything but the key. */
@Entity
@Table(name = "provider_key")
class ProviderKeyEntity {

    enum Status {
        ACTIVE,
        REVOKED
    }

    @Id
    @Column(name = "key_id")
    private String keyId;

    @Column(name = "tenant_id", nullable = false)
    private String tenantId;

    @Column(nullable = false)
    private String provider;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private KeyKind kind;

    @Column(name = "key_version", nullable = false)
    private int keyVersion;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private Status status;

    private String label;

    @Column(nullable = false)
    private String fingerprint;

    @Column(name = "scope_tenant_id")
    private String scopeTenantId;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "rotated_at")
    private Instant rotatedAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    @Column(name = "last_used_at")
    private Instant lastUsedAt;

    /** Share of its pool's requests (1 to 100). */
    @Column(nullable = false)
    private int weight = 1;

    protected ProviderKeyEntity() {}

    ProviderKeyEntity(
            String keyId,
            String tenantId,
            String provider,
            KeyKind kind,
            String label,
            String fingerprint,
            String scopeTenantId,
            Instant now) {
        this.keyId = keyId;
        this.tenantId = tenantId;
        this.provider = provider;
        this.kind = kind;
        this.keyVersion = 1;
        this.status = Status.ACTIVE;
        this.label = label;
        this.fingerprint = fingerprint;
        this.scopeTenantId = scopeTenantId;
        this.createdAt = now;
    }

    /** Moves to the next version with a new fingerprint; the caller stores the new material. */
    void rotate(String newFingerprint, Instant now) {
        this.keyVersion++;
        this.fingerprint = newFingerprint;
        this.rotatedAt = now;
    }

    /** Sets the key's share of its pool's requests. */
    void weigh(int weight) {
        this.weight = weight;
    }

    int weight() {
        return weight;
    }

    boolean active() {
        return status == Status.ACTIVE;
    }

    void revoke(Instant now) {
        status = Status.REVOKED;
        revokedAt = now;
    }

    /** Where this key's material lives in the KeyStore (one entry, a ciphertext per live version). */
    String materialPath() {
        return "tenants/" + tenantId + "/keys/" + keyId;
    }

    /** The context its material is encrypted under: a ciphertext copied to another key does not open. */
    String context() {
        return tenantId + "|" + keyId;
    }

    String keyId() {
        return keyId;
    }

    String tenantId() {
        return tenantId;
    }

    String provider() {
        return provider;
    }

    KeyKind kind() {
        return kind;
    }

    int keyVersion() {
        return keyVersion;
    }

    String fingerprint() {
        return fingerprint;
    }

    String label() {
        return label;
    }

    String scopeTenantId() {
        return scopeTenantId;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant rotatedAt() {
        return rotatedAt;
    }

    Instant lastUsedAt() {
        return lastUsedAt;
    }

    Status status() {
        return status;
    }
}
