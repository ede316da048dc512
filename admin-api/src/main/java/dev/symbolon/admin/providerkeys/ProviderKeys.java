package dev.symbolon.admin.providerkeys;

import dev.symbolon.admin.audit.AuditLog;
import dev.symbolon.admin.audit.Changes;
import dev.symbolon.admin.auth.Access;
import dev.symbolon.admin.auth.Access.Operation;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.keyvault.KeyVaultClient;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.contracts.ProviderCatalogue;
import dev.symbolon.contracts.Secret;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Operator server keys. Security officers register them here; the key goes straight to
 * key-vault-service and admin-api keeps a reference (id, provider, version, fingerprint).
 */
@Service
public class ProviderKeys {

    private final KeyVaultClient keyVault;
    private final JdbcClient jdbc;
    private final AuditLog audit;

    ProviderKeys(KeyVaultClient keyVault, JdbcClient jdbc, AuditLog audit) {
        this.keyVault = keyVault;
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /**
     * Puts a key in the provider's server-key pool (for every tenant, or only {@code scopeTenantId}'s):
     * a new label adds a key, a label the pool holds is rotated to the new value.
     *
     * @param weight the key's share of its pool's requests (1 to 100); null keeps it (1 for a new key)
     */
    @Transactional
    public KeyRef register(
            AdminPrincipal actor, String provider, Secret apiKey, String label, String scopeTenantId, Integer weight) {
        Access.require(actor, Operation.PROVIDER_KEY_MANAGE);
        if (!ProviderCatalogue.isProvider(provider)) {
            throw ApiException.badRequest("provider must be " + ProviderCatalogue.namesForMessage());
        }
        if (apiKey == null || apiKey.reveal().isBlank() || apiKey.reveal().length() > 500) {
            throw ApiException.badRequest("apiKey is required (at most 500 characters)");
        }
        KeyVaultClient.ServerKeyRef registered =
                keyVault.registerServerKey(provider, apiKey, label, scopeTenantId, weight);
        int weighs = registered.weight() == null ? 1 : registered.weight();
        Instant now = Instant.now();
        jdbc.sql("delete from provider_key_ref where key_id = :id")
                .param("id", registered.keyId())
                .update();
        jdbc.sql("insert into provider_key_ref (key_id, provider, label, key_version, fingerprint, status,"
                        + " registered_by, registered_at, weight) values (:id, :provider, :label, :version, :fingerprint,"
                        + " 'ACTIVE', :by, :at, :weight)")
                .param("id", registered.keyId())
                .param("provider", provider)
                .param("label", label)
                .param("version", registered.keyVersion())
                .param("fingerprint", registered.fingerprint())
                .param("by", actor.subject())
                .param("at", Timestamp.from(now))
                .param("weight", weighs)
                .update();
        audit.record(
                actor,
                "provider_key.registered",
                null,
                registered.keyId(),
                Changes.of()
                        .put("provider", provider)
                        .put("version", Integer.toString(registered.keyVersion()))
                        .put("fingerprint", registered.fingerprint())
                        .put("scopeTenantId", scopeTenantId)
                        .put("weight", Integer.toString(weighs))
                        .toMap());
        return new KeyRef(
                registered.keyId(),
                provider,
                label,
                registered.keyVersion(),
                registered.fingerprint(),
                "ACTIVE",
                now,
                weighs);
    }

    @Transactional(readOnly = true)
    public List<KeyRef> list(AdminPrincipal actor) {
        Access.require(actor, Operation.PROVIDER_KEY_READ);
        return jdbc.sql("select * from provider_key_ref order by provider, key_id")
                .query((rs, n) -> new KeyRef(
                        rs.getString("key_id"),
                        rs.getString("provider"),
                        rs.getString("label"),
                        rs.getInt("key_version"),
                        rs.getString("fingerprint"),
                        rs.getString("status"),
                        rs.getTimestamp("registered_at").toInstant(),
                        rs.getInt("weight")))
                .list();
    }

    @Transactional
    public void revoke(AdminPrincipal actor, String keyId) {
        Access.require(actor, Operation.PROVIDER_KEY_MANAGE);
        int rows = jdbc.sql("update provider_key_ref set status = 'REVOKED', revoked_at = now()"
                        + " where key_id = :id and status = 'ACTIVE'")
                .param("id", keyId)
                .update();
        if (rows == 0) {
            throw ApiException.notFound("provider key");
        }
        keyVault.revokeServerKey(keyId);
        audit.record(actor, "provider_key.revoked", null, keyId, Changes.of().toMap());
    }

    /**
     * A new version of a server key (the provider issued a new key); the previous version keeps
     * working at the edges until key-vault-service's rotation grace ends.
     */
    @Transactional
    public KeyRef rotate(AdminPrincipal actor, String keyId, Secret apiKey) {
        Access.require(actor, Operation.PROVIDER_KEY_MANAGE);
        KeyRef current = active(actor, keyId);
        if (apiKey == null || apiKey.reveal().isBlank() || apiKey.reveal().length() > 500) {
            throw ApiException.badRequest("apiKey is required (at most 500 characters)");
        }
        tools.jackson.databind.JsonNode rotated = keyVault.keys(
                org.springframework.http.HttpMethod.POST,
                "/internal/v1/keys/" + keyId + "/rotate",
                java.util.Map.of("apiKey", apiKey.reveal()),
                actor.subject(),
                actor.role().wireName());
        int version = rotated.path("key").path("keyVersion").asInt();
        String fingerprint = rotated.path("key").path("fingerprint").asString();
        jdbc.sql("update provider_key_ref set key_version = :v, fingerprint = :f where key_id = :id")
                .param("v", version)
                .param("f", fingerprint)
                .param("id", keyId)
                .update();
        audit.record(
                actor,
                "provider_key.rotated",
                null,
                keyId,
                Changes.of()
                        .put("version", Integer.toString(version))
                        .put("fingerprint", fingerprint)
                        .toMap());
        return new KeyRef(
                keyId,
                current.provider(),
                current.label(),
                version,
                fingerprint,
                "ACTIVE",
                current.registeredAt(),
                current.weight());
    }

    /** Sets a server key's share of its pool's requests; edges use it once their cached pool expires. */
    @Transactional
    public KeyRef reweigh(AdminPrincipal actor, String keyId, int weight) {
        Access.require(actor, Operation.PROVIDER_KEY_MANAGE);
        KeyRef current = active(actor, keyId);
        keyVault.keys(
                org.springframework.http.HttpMethod.PATCH,
                "/internal/v1/keys/" + keyId,
                java.util.Map.of("weight", weight),
                actor.subject(),
                actor.role().wireName());
        jdbc.sql("update provider_key_ref set weight = :w where key_id = :id")
                .param("w", weight)
                .param("id", keyId)
                .update();
        audit.record(
                actor,
                "provider_key.reweighed",
                null,
                keyId,
                Changes.of().put("weight", Integer.toString(weight)).toMap());
        return new KeyRef(
                keyId,
                current.provider(),
                current.label(),
                current.keyVersion(),
                current.fingerprint(),
                "ACTIVE",
                current.registeredAt(),
                weight);
    }

    private KeyRef active(AdminPrincipal actor, String keyId) {
        return list(actor).stream()
                .filter(k -> k.keyId().equals(keyId) && k.status().equals("ACTIVE"))
                .findFirst()
                .orElseThrow(() -> ApiException.notFound("provider key"));
    }

    /** A reference to a server key: never the key. */
    public record KeyRef(
            String keyId,
            String provider,
            String label,
            int keyVersion,
            String fingerprint,
            String status,
            Instant registeredAt,
            int weight) {}
}
