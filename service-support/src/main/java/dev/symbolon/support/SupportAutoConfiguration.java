package dev.symbolon.support;

import dev.symbolon.contracts.Topics;
import dev.symbolon.support.auth.AdminJwtSettings;
import dev.symbolon.support.auth.AdminJwtVerifier;
import dev.symbolon.support.auth.AdminKeyRevocations;
import dev.symbolon.support.auth.MetricsAccessFilter;
import dev.symbolon.support.auth.ServiceToken;
import dev.symbolon.support.auth.ServiceTokenFilter;
import dev.symbolon.support.kafka.ConsumerLagWatch;
import dev.symbolon.support.kafka.DeadLetters;
import dev.symbolon.support.kafka.RecordFailure;
import dev.symbolon.support.server.ConnectionGuards;
import dev.symbolon.support.server.ServerLimits;
import dev.symbolon.support.traces.Traces;
import dev.symbolon.support.traces.TracingWebFilter;
import dev.symbolon.support.web.CanonicalPathFilter;
import dev.symbolon.support.web.ErrorHandlers;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * What every reactive Symbolon service gets by depending on service-support: canonical request
 * paths before anything else; bounded connections (see {@link ServerLimits}); one error body for every
 * failure; one dead-letter policy for every Kafka listener; the actuator's metrics behind the scrape token; the missing topics of the shared layout created at start-up; the service token on {@code /internal/**} once the service declares
 * its {@link ServiceToken}; admin JWT verification, revoked admin keys included, once it declares its
 * {@link AdminJwtSettings}.
 */
@AutoConfiguration(after = org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableConfigurationProperties(ServerLimits.class)
public class SupportAutoConfiguration {

    /** Header deadline, idle and body timeouts, and a cap on connections per client address. */
    @Bean
    ConnectionGuards connectionGuards(ServerLimits limits) {
        return new ConnectionGuards(limits);
    }

    /** Blocking controllers on a bounded pool, for the services that set {@code symbolon.web.blocking-threads}. */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("symbolon.web.blocking-threads")
    dev.symbolon.support.web.BlockingControllers blockingControllers(
            @org.springframework.beans.factory.annotation.Value("${spring.application.name:service}") String name,
            @org.springframework.beans.factory.annotation.Value("${symbolon.web.blocking-threads}") int threads) {
        dev.symbolon.support.web.LogContext.install();
        return new dev.symbolon.support.web.BlockingControllers(name, threads);
    }

    /** The ids of a request in the MDC of its blocking controller's log lines (see {@code LogContext}). */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("symbolon.web.blocking-threads")
    dev.symbolon.support.web.LogContext logContext() {
        return new dev.symbolon.support.web.LogContext();
    }

    /** Decimals (money) read as plain numbers in every JSON answer: {@code 0}, never {@code 0E-12}. */
    @Bean
    tools.jackson.databind.JacksonModule plainDecimals() {
        return dev.symbolon.support.web.PlainDecimals.module();
    }

    @Bean
    CanonicalPathFilter canonicalPathFilter() {
        return new CanonicalPathFilter();
    }

    /** The one error shape for controllers' shared failure types (bad input, refusals). */
    @Bean
    ErrorHandlers.Advice errorAdvice() {
        return new ErrorHandlers.Advice();
    }

    /** The one error shape for everything else, ahead of Boot's default handler. */
    @Bean
    ErrorHandlers.Fallback errorFallback() {
        return new ErrorHandlers.Fallback();
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
    @ConditionalOnMissingBean
    DeadLetters deadLetters(KafkaTemplate<String, byte[]> kafka) {
        return new DeadLetters(kafka);
    }

    /**
     * The one failure policy of every {@code @KafkaListener}: a record-level failure ({@link
     * RecordFailure}: malformed, or data the database refuses) goes to {@code <topic>.dlt} at once and
     * its offset is committed; anything else (an outage) is retried with back-off capped at 5 s for as
     * long as it lasts, never dead-lettered, so valid records wait instead of being lost.
     */
    @Bean
    @ConditionalOnMissingBean(CommonErrorHandler.class)
    DefaultErrorHandler kafkaErrorHandler(DeadLetters deadLetters) {
        ExponentialBackOff outage = new ExponentialBackOff(200, 2.0);
        outage.setMaxInterval(5_000);
        DefaultErrorHandler handler = new DefaultErrorHandler(deadLetters::send, outage);
        handler.setBackOffFunction(
                (record, failure) -> RecordFailure.isRecordLevel(failure) ? new FixedBackOff(0, 0) : null);
        handler.setCommitRecovered(true);
        return handler;
    }

    /** Warns in the log when a listener falls more than {@code symbolon.kafka.lag-warning} records behind. */
    @Bean
    @ConditionalOnBean(KafkaListenerEndpointRegistry.class)
    ConsumerLagWatch consumerLagWatch(
            KafkaListenerEndpointRegistry listeners,
            @Value("${symbolon.kafka.lag-warning:10000}") long threshold,
            @Value("${symbolon.kafka.lag-check-interval:30s}") java.time.Duration interval) {
        return new ConsumerLagWatch(listeners, threshold, interval);
    }

    /** OpenTelemetry as the {@code OTEL_*} variables configure it; off unless an exporter is named. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Traces traces(
            org.springframework.core.env.ConfigurableEnvironment environment,
            @Value("${spring.application.name:symbolon}") String name) {
        return Traces.configure(environment, name);
    }

    @Bean
    TracingWebFilter tracingWebFilter(Traces traces) {
        return new TracingWebFilter(traces);
    }

    /** Health for anyone; every other actuator endpoint (metrics) for the scrape token's holder only. */
    @Bean
    MetricsAccessFilter metricsAccessFilter(@Value("${symbolon.metrics.token:}") String token) {
        return new MetricsAccessFilter(dev.symbolon.contracts.Secret.of(token));
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
