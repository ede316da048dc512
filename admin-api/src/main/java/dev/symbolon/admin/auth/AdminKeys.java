package dev.symbolon.admin.auth;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.contracts.CredentialHasher;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Administrators' credentials ({@code sym_admin_…}) as authentication reads them: stored hashed, active
 * until revoked. Issuing, listing and revoking them is {@code adminkeys.AdminKeyAdministration}'s.
 */
@Service
public class AdminKeys {

    /** How every admin key begins. */
    public static final String PREFIX = "sym_admin_";

    private final AdminKeyRepository repository;
    private final CredentialHasher hasher;

    AdminKeys(AdminKeyRepository repository, AdminProperties properties) {
        this.repository = repository;
        this.hasher = new CredentialHasher(properties.credentialPepper());
    }

    /** The principal of an active admin key, if the credential is one. */
    @Transactional(readOnly = true)
    public Optional<AdminPrincipal> authenticate(String credential) {
        if (credential == null || !credential.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return repository
                .findByHash(hasher.hash(credential))
                .filter(AdminKey::active)
                .map(AdminKey::principal);
    }

    /** Whether the admin key of this id exists and is not revoked. */
    @Transactional(readOnly = true)
    public boolean isActive(String keyId) {
        return repository.findById(keyId).filter(AdminKey::active).isPresent();
    }

    /** The hash under which an admin key is stored. */
    public String hash(String key) {
        return hasher.hash(key);
    }
}
