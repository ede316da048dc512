package dev.symbolon.admin;

import dev.symbolon.contracts.Secret;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of admin-api ({@code symbolon.admin.*}).
 *
 * @param bootstrapToken the bootstrap platform-admin credential (printed by the local stack)
 */
@Validated
@ConfigurationProperties("symbolon.admin")
public record AdminProperties(@NotNull Secret bootstrapToken) {}
