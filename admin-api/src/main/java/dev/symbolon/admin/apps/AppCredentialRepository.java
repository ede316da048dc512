package dev.symbolon.admin.apps;

import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

public interface AppCredentialRepository extends JpaRepository<AppCredential, String> {

    List<AppCredential> findByAppIdAndCredentialIdGreaterThanOrderByCredentialId(
            String appId, String after, Limit limit);

    List<AppCredential> findByTenantIdAndStatusOrderByCredentialId(String tenantId, String status);
}
