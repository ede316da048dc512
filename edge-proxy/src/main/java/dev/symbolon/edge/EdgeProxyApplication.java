package dev.symbolon.edge;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The edge owns nothing durable. Persistence auto-configuration is excluded by name because in local
 * mode the other services put JDBC, JPA and Flyway on the shared classpath.
 */
@SpringBootApplication(
        excludeName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
            "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"
        })
@ConfigurationPropertiesScan
public class EdgeProxyApplication {

    /** Configuration lives in {@code edge-proxy.yml}, so five services can share one classpath. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(EdgeProxyApplication.class)
                .main(EdgeProxyApplication.class)
                .properties("spring.config.name=edge-proxy");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
