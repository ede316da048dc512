package dev.symbolon.keyvault;

import dev.symbolon.contracts.Secret;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of key-vault-service ({@code symbolon.key-vault.*}).
 *
 * @param serviceToken what other services present (as a bearer token) on {@code /internal/**}
 * @param localStore the sealed file store used in local mode
 * @param serverKeys operator server keys registered at start-up, by provider name ({@code openai},
 *     {@code compat:demo}, ...); a value that differs from the stored one becomes the provider's next
 *     key version. A map, so that configuration sources add providers instead of replacing the list.
 */
@Validated
@ConfigurationProperties("symbolon.key-vault")
public record KeyVaultProperties(
        @NotNull Secret serviceToken, @NotNull @Valid LocalStore localStore, Map<String, @Valid ServerKey> serverKeys) {

    public KeyVaultProperties {
        serverKeys = serverKeys == null ? Map.of() : Map.copyOf(serverKeys);
    }

    /**
     * @param directory where sealed entries are written
     * @param masterKeyFile 32 random bytes that seal every entry; created on first start with owner-only
     *     permissions. Whoever has this file and the directory has the keys: keep them apart in backups.
     */
    public record LocalStore(@NotNull Path directory, @NotNull Path masterKeyFile) {}

    /** @param apiKey blank entries are ignored, so a deployment can leave a provider's key unset */
    public record ServerKey(Secret apiKey, String label) {}
}
