package dev.symbolon.analytics;

import dev.symbolon.support.auth.AdminJwtSettings;
import dev.symbolon.support.auth.ServiceToken;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Plain JDBC, no JPA: ingest is idempotent bulk SQL and queries are aggregates. JPA auto-configuration
 * is excluded by name because in local mode other services put Hibernate on the shared classpath.
 */
@SpringBootApplication(
        excludeName = {
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
            "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration"
        })
@ConfigurationPropertiesScan
@EnableScheduling
public class UsageAnalyticsApplication {

    /** Configuration lives in {@code usage-analytics-service.yml}, so five services can share one classpath. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(UsageAnalyticsApplication.class)
                .main(UsageAnalyticsApplication.class)
                .properties("spring.config.name=usage-analytics-service");
    }

    /** Guards {@code /internal/**} (service-support's filter). */
    @Bean
    ServiceToken serviceToken(AnalyticsProperties properties) {
        return new ServiceToken(properties.serviceToken());
    }

    /** Admin JWTs from admin-api, revoked admin keys refused (service-support's verifier). */
    @Bean
    AdminJwtSettings adminJwtSettings(AnalyticsProperties properties) {
        return properties.adminJwt();
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
