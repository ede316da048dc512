package dev.symbolon.admin.tenants;

import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

public interface TenantRepository extends JpaRepository<Tenant, String> {

    List<Tenant> findByTenantIdGreaterThanOrderByTenantId(String after, Limit limit);
}
