package dev.symbolon.edge.auth;

import dev.symbolon.contracts.CredentialHasher;
import dev.symbolon.edge.EdgeProperties;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The apps this edge accepts, looked up by the keyed hash of the presented credential. Held in
 * memory; the hot path never asks a database. Fed from configuration for now (admin-api's {@code
 * tenant-config.v1} feed replaces that source).
 */
@Component
public class AppDirectory {

    private final CredentialHasher hasher;
    private final Map<String, AppIdentity> byCredentialHash;

    public AppDirectory(EdgeProperties properties) {
        this.hasher = new CredentialHasher(properties.credentialPepper());
        Map<String, AppIdentity> apps = new HashMap<>();
        for (EdgeProperties.BootstrapApp app : properties.apps()) {
            apps.put(app.credentialHash(), new AppIdentity(app.tenantId(), app.appId()));
        }
        this.byCredentialHash = Map.copyOf(apps);
    }

    public Optional<AppIdentity> authenticate(String credential) {
        if (credential == null || credential.isBlank()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byCredentialHash.get(hasher.hash(credential)));
    }
}
