package dev.symbolon.webhooks;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class WebhookDispatcherApplication {

    /** Configuration lives in {@code webhook-dispatcher.yml}, so five services can share one classpath. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(WebhookDispatcherApplication.class)
                .main(WebhookDispatcherApplication.class)
                .properties("spring.config.name=webhook-dispatcher");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
