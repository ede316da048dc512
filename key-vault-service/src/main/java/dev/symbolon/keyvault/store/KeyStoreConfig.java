package dev.symbolon.keyvault.store;

import dev.symbolon.keyvault.KeyVaultProperties;
import dev.symbolon.keyvault.KeyVaultProperties.StoreKind;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

@Configuration(proxyBeanMethods = false)
class KeyStoreConfig {

    /** The store, timed, and its health ({@code keyStore}, part of readiness). */
    @Bean
    MeteredKeyStore keyStore(KeyVaultProperties properties, VaultSessions sessions, MeterRegistry registry) {
        if (properties.store() == StoreKind.VAULT) {
            VaultKeyStore vault = sessions.open(properties.vault());
            vault.ensureTransitKey(properties.vault().createTransitKey());
            return new MeteredKeyStore(vault, "vault", registry);
        }
        KeyVaultProperties.LocalStore local = properties.localStore();
        return new MeteredKeyStore(new LocalKeyStore(local.directory(), local.masterKeyFile()), "local", registry);
    }

    @Bean
    WrappedEntries wrappedEntries(KeyStore store) {
        return new WrappedEntries(store);
    }

    /** Renews Vault tokens in the background; idle (no thread) in local mode. */
    @Bean(destroyMethod = "close")
    VaultSessions vaultSessions() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("vault-session-");
        scheduler.setDaemon(true);
        scheduler.initialize();
        return new VaultSessions(scheduler);
    }
}
