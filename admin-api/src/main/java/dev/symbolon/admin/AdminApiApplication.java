package dev.symbolon.admin;

import dev.symbolon.support.auth.ServiceToken;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
@ConfigurationPropertiesScan
public class AdminApiApplication {

    /** Configuration lives in {@code admin-api.yml}, so five services can share one classpath. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(AdminApiApplication.class)
                .main(AdminApiApplication.class)
                .properties("spring.config.name=admin-api");
    }

    /** Guards {@code /internal/**} (service-support's filter). */
    @Bean
    ServiceToken serviceToken(AdminProperties properties) {
        return new ServiceToken(properties.serviceToken());
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
