package dev.symbolon.keyvault.keys;

import dev.symbolon.contracts.KeyLifecycleEvent.KeyKind;
import java.time.Instant;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface ProviderKeyRepository extends JpaRepository<ProviderKeyEntity, String> {

    List<ProviderKeyEntity> findByTenantIdAndProviderAndKindAndStatusOrderByCreatedAtDesc(
            String tenantId, String provider, KeyKind kind, ProviderKeyEntity.Status status);

    List<ProviderKeyEntity> findByTenantIdAndStatusOrderByCreatedAt(String tenantId, ProviderKeyEntity.Status status);

    List<ProviderKeyEntity> findByStatus(ProviderKeyEntity.Status status);

    @Modifying
    @Query("update ProviderKeyEntity k set k.lastUsedAt = :at where k.keyId = :keyId")
    void touch(String keyId, Instant at);
}
