package dev.symbolon.webhooks;

import dev.symbolon.support.auth.AdminJwtSettings;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
@ConfigurationPropertiesScan
public class WebhookDispatcherApplication {

    /** Configuration lives in {@code webhook-dispatcher.yml}, so five services can share one classpath. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(WebhookDispatcherApplication.class)
                .main(WebhookDispatcherApplication.class)
                .properties("spring.config.name=webhook-dispatcher");
    }

    /** Admin JWTs from admin-api, revoked admin keys refused (service-support's verifier). */
    @Bean
    AdminJwtSettings adminJwtSettings(DispatcherProperties properties) {
        return properties.adminJwt();
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
