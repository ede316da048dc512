package dev.symbolon.admin.apps;

import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

public interface AppRepository extends JpaRepository<App, String> {

    List<App> findByTenantIdAndAppIdGreaterThanOrderByAppId(String tenantId, String after, Limit limit);

    List<App> findByTenantIdOrderByAppId(String tenantId);
}
