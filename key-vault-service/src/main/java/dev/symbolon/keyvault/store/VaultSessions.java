package dev.symbolon.keyvault.store;

import dev.symbolon.keyvault.KeyVaultProperties;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.StringUtils;
import org.springframework.vault.authentication.AppRoleAuthentication;
import org.springframework.vault.authentication.AppRoleAuthenticationOptions;
import org.springframework.vault.authentication.AuthenticationStepsExecutor;
import org.springframework.vault.authentication.ClientAuthentication;
import org.springframework.vault.authentication.LifecycleAwareSessionManager;
import org.springframework.vault.authentication.TokenAuthentication;
import org.springframework.vault.client.RestTemplateBuilder;
import org.springframework.vault.client.VaultEndpoint;
import org.springframework.vault.core.VaultTemplate;
import org.springframework.vault.support.VaultToken;
import org.springframework.web.client.RestTemplate;

/**
 * Opens authenticated Vault connections and keeps their tokens alive: renewed ahead of expiry, a new
 * AppRole login once renewal is no longer possible. On close, AppRole login tokens are revoked; a
 * configured token is left alone (it is the operator's, not ours).
 */
final class VaultSessions implements AutoCloseable {

    private final ThreadPoolTaskScheduler scheduler;
    private final List<AutoCloseable> open = new ArrayList<>();

    public VaultSessions(ThreadPoolTaskScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** A key store on an authenticated session to the configured Vault. */
    public synchronized VaultKeyStore open(KeyVaultProperties.Vault vault) {
        if (vault.uri() == null || vault.uri().toString().isBlank()) {
            throw new IllegalStateException("symbolon.key-vault.vault.uri (VAULT_ADDR) is required with store=vault");
        }
        JdkClientHttpRequestFactory http = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(vault.timeout()).build());
        http.setReadTimeout(vault.timeout());
        VaultEndpoint endpoint = VaultEndpoint.from(vault.uri());
        RestTemplateBuilder rest =
                RestTemplateBuilder.builder().endpoint(endpoint).requestFactory(http);
        if (StringUtils.hasText(vault.namespace())) {
            rest = rest.defaultHeader("X-Vault-Namespace", vault.namespace());
        }
        RestTemplate login = rest.build();
        LifecycleAwareSessionManager session =
                switch (vault.auth()) {
                    case TOKEN ->
                        new LifecycleAwareSessionManager(tokenAuthentication(vault, login), scheduler, login) {
                            @Override
                            protected void revoke(VaultToken token) {
                                // The configured token belongs to the operator: renew it, never revoke it.
                            }
                        };
                    case APPROLE ->
                        new LifecycleAwareSessionManager(appRoleAuthentication(vault, login), scheduler, login);
                };
        VaultTemplate template = new VaultTemplate(rest, session);
        template.afterPropertiesSet();
        open.add(session::destroy);
        return new VaultKeyStore(
                template, vault.kvMount(), vault.pathPrefix(), vault.transitMount(), vault.transitKey());
    }

    private static ClientAuthentication tokenAuthentication(KeyVaultProperties.Vault vault, RestTemplate login) {
        if (vault.token() == null || vault.token().isEmpty()) {
            throw new IllegalStateException("symbolon.key-vault.vault.token (VAULT_TOKEN) is required with auth=token");
        }
        // Looking the token up tells its TTL and whether it is renewable, so the session renews it in time.
        return new AuthenticationStepsExecutor(
                TokenAuthentication.createAuthenticationSteps(
                        VaultToken.of(vault.token().reveal()), true),
                login);
    }

    private static ClientAuthentication appRoleAuthentication(KeyVaultProperties.Vault vault, RestTemplate login) {
        KeyVaultProperties.AppRole appRole = vault.appRole();
        if (!StringUtils.hasText(appRole.roleId())
                || appRole.secretId() == null
                || appRole.secretId().isEmpty()) {
            throw new IllegalStateException(
                    "symbolon.key-vault.vault.app-role.role-id and secret-id (VAULT_ROLE_ID, VAULT_SECRET_ID)"
                            + " are required with auth=approle");
        }
        return new AppRoleAuthentication(
                AppRoleAuthenticationOptions.builder()
                        .path(appRole.path())
                        .roleId(AppRoleAuthenticationOptions.RoleId.provided(appRole.roleId()))
                        .secretId(AppRoleAuthenticationOptions.SecretId.provided(
                                appRole.secretId().reveal()))
                        .build(),
                login);
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable session : open) {
            try {
                session.close();
            } catch (Exception e) {
                // Shutting down: a token left unrevoked expires by itself.
            }
        }
        open.clear();
        scheduler.shutdown();
    }
}
