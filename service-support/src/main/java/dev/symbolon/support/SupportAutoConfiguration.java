package dev.symbolon.support;

import dev.symbolon.contracts.Topics;
import dev.symbolon.support.auth.AdminJwtSettings;
import dev.symbolon.support.auth.AdminJwtVerifier;
import dev.symbolon.support.auth.AdminKeyRevocations;
import dev.symbolon.support.auth.ServiceToken;
import dev.symbolon.support.auth.ServiceTokenFilter;
import dev.symbolon.support.web.CanonicalPathFilter;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * What every reactive Symbolon service gets by depending on service-support: canonical request
 * paths before anything else; the missing topics of the shared layout created at start-up; the service token on {@code /internal/**} once the service declares
 * its {@link ServiceToken}; admin JWT verification, revoked admin keys included, once it declares its
 * {@link AdminJwtSettings}.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class SupportAutoConfiguration {

    @Bean
    CanonicalPathFilter canonicalPathFilter() {
        return new CanonicalPathFilter();
    }

    /**
     * Creates missing topics of the shared layout at start-up (existing ones are left as they are), so
     * whichever service starts first, every topic exists.
     */
    @Bean
    KafkaAdmin.NewTopics symbolonTopics() {
        return new KafkaAdmin.NewTopics(Topics.LAYOUT.stream()
                .map(spec -> {
                    TopicBuilder topic = TopicBuilder.name(spec.name()).partitions(spec.partitions());
                    return spec.compacted() ? topic.compact().build() : topic.build();
                })
                .toArray(NewTopic[]::new));
    }

    @Bean
    @ConditionalOnBean(ServiceToken.class)
    ServiceTokenFilter serviceTokenFilter(ServiceToken token) {
        return new ServiceTokenFilter(token);
    }

    /** Bean name = health contributor name; a service's readiness group includes {@code adminKeyRevocations}. */
    @Bean
    @ConditionalOnBean(AdminJwtSettings.class)
    AdminKeyRevocations adminKeyRevocations(
            KafkaProperties kafka, @Value("${spring.application.name:symbolon}") String owner) {
        return new AdminKeyRevocations(owner, kafka.buildConsumerProperties());
    }

    @Bean
    @ConditionalOnBean(AdminJwtSettings.class)
    AdminJwtVerifier adminJwtVerifier(AdminJwtSettings settings, AdminKeyRevocations revocations) {
        return new AdminJwtVerifier(settings, revocations);
    }
}
