package dev.symbolon.keyvault.serverkeys;

import dev.symbolon.contracts.KeyLifecycleEvent.KeyKind;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface ProviderKeyRepository extends JpaRepository<ProviderKeyEntity, String> {

    Optional<ProviderKeyEntity> findFirstByTenantIdAndProviderAndKindAndStatusOrderByCreatedAtDesc(
            String tenantId, String provider, KeyKind kind, ProviderKeyEntity.Status status);
}
