package dev.symbolon.keyvault;

import dev.symbolon.contracts.Secret;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of key-vault-service ({@code symbolon.key-vault.*}).
 *
 * @param serviceToken what other services present (as a bearer token) on {@code /internal/**}
 * @param store where key material lives: {@code local} (sealed files, local mode) or {@code vault}
 * @param localStore the sealed file store used in local mode
 * @param vault HashiCorp Vault, used when {@code store} is {@code vault}
 * @param serverKeys operator server keys registered at start-up, by provider name ({@code openai},
 *     {@code compat:demo}, ...); a value that differs from the stored one becomes the provider's next
 *     key version. A map, so that configuration sources add providers instead of replacing the list.
 * @param rotationGrace how long a rotated key's previous version keeps working
 * @param sweepInterval how often versions whose grace ended are destroyed, and the re-wrap after a
 *     wrapping-key rotation resumes
 */
@Validated
@ConfigurationProperties("symbolon.key-vault")
public record KeyVaultProperties(
        @NotNull Secret serviceToken,
        @NotNull StoreKind store,
        @NotNull @Valid LocalStore localStore,
        @NotNull @Valid Vault vault,
        Map<String, @Valid ServerKey> serverKeys,
        @NotNull Duration rotationGrace,
        @NotNull Duration sweepInterval) {

    public KeyVaultProperties {
        serverKeys = serverKeys == null ? Map.of() : Map.copyOf(serverKeys);
    }

    public enum StoreKind {
        LOCAL,
        VAULT
    }

    /**
     * @param directory where sealed entries are written
     * @param masterKeyFile the key ring: 32-byte keys that seal every entry and encrypt key material;
     *     created on first start with owner-only permissions, one key appended per rotation
     */
    public record LocalStore(@NotNull Path directory, @NotNull Path masterKeyFile) {}

    /**
     * @param uri Vault's address, e.g. {@code https://vault.internal:8200}
     * @param auth {@code token} or {@code approle}
     * @param token for token auth; renewed before it expires when it is renewable (never revoked by us)
     * @param appRole for AppRole auth; its login token is renewed, and replaced by a new login at its
     *     maximum TTL
     * @param namespace Vault Enterprise namespace, if any
     * @param kvMount the KV version 2 mount
     * @param pathPrefix entries live under {@code <kvMount>/data/<pathPrefix>/tenants/...}
     * @param transitMount the Transit mount
     * @param transitKey the Transit key (derived); created at start if missing and {@code createTransitKey}
     * @param timeout connect and read timeout of every Vault call
     */
    public record Vault(
            URI uri,
            @NotNull VaultAuth auth,
            Secret token,
            @NotNull @Valid AppRole appRole,
            String namespace,
            @NotNull String kvMount,
            @NotNull String pathPrefix,
            @NotNull String transitMount,
            @NotNull String transitKey,
            boolean createTransitKey,
            @NotNull Duration timeout) {}

    public enum VaultAuth {
        TOKEN,
        APPROLE
    }

    /** @param path the AppRole auth mount ({@code approle}) */
    public record AppRole(@NotNull String path, String roleId, Secret secretId) {}

    /** @param apiKey blank entries are ignored, so a deployment can leave a provider's key unset */
    public record ServerKey(Secret apiKey, String label) {}
}
