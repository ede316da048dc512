package dev.symbolon.keyvault;

import dev.symbolon.support.auth.ServiceToken;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class KeyVaultApplication {

    /** Configuration lives in {@code key-vault-service.yml}, so five services can share one classpath. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(KeyVaultApplication.class)
                .main(KeyVaultApplication.class)
                .properties("spring.config.name=key-vault-service");
    }

    /** Guards {@code /internal/**} (service-support's filter). */
    @Bean
    ServiceToken serviceToken(KeyVaultProperties properties) {
        return new ServiceToken(properties.serviceToken());
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
