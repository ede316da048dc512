package dev.symbolon.admin;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class AdminApiApplication {

    /** Configuration lives in {@code admin-api.yml}, so five services can share one classpath. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(AdminApiApplication.class)
                .main(AdminApiApplication.class)
                .properties("spring.config.name=admin-api");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
