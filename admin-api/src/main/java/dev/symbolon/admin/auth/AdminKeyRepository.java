package dev.symbolon.admin.auth;

import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

public interface AdminKeyRepository extends JpaRepository<AdminKey, String> {

    Optional<AdminKey> findByHash(String hash);

    List<AdminKey> findByKeyIdGreaterThanOrderByKeyId(String after, Limit limit);
}
