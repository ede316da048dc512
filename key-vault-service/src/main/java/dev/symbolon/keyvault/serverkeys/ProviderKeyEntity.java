package dev.symbolon.keyvault.serverkeys;

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

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "rotated_at")
    private Instant rotatedAt;

    protected ProviderKeyEntity() {}

    ProviderKeyEntity(
            String keyId,
            String tenantId,
            String provider,
            KeyKind kind,
            String label,
            String fingerprint,
            Instant now) {
        this.keyId = keyId;
        this.tenantId = tenantId;
        this.provider = provider;
        this.kind = kind;
        this.keyVersion = 1;
        this.status = Status.ACTIVE;
        this.label = label;
        this.fingerprint = fingerprint;
        this.createdAt = now;
    }

    /** Moves to the next version with a new fingerprint; the caller stores the new material. */
    void rotate(String newFingerprint, Instant now) {
        this.keyVersion++;
        this.fingerprint = newFingerprint;
        this.rotatedAt = now;
    }

    boolean active() {
        return status == Status.ACTIVE;
    }

    void revoke() {
        status = Status.REVOKED;
    }

    /** Where this key's current material lives in the KeyStore. */
    String materialPath() {
        return materialPath(keyVersion);
    }

    /** Where one version of this key's material lives in the KeyStore. */
    String materialPath(int version) {
        return "keys/" + tenantId + "/" + keyId + "/v" + version;
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
}
