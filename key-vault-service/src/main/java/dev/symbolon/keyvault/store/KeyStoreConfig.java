package dev.symbolon.keyvault.store;

import dev.symbolon.keyvault.KeyVaultProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class KeyStoreConfig {

    @Bean
    KeyStore keyStore(KeyVaultProperties properties) {
        KeyVaultProperties.LocalStore local = properties.localStore();
        return new LocalKeyStore(local.directory(), local.masterKeyFile());
    }
}
