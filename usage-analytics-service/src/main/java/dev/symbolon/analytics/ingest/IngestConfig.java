package dev.symbolon.analytics.ingest;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

@Configuration(proxyBeanMethods = false)
class IngestConfig {

    /**
     * For failures the listener does not handle itself (it dead-letters malformed records): the whole
     * batch is retried with back-off capped at 5 s, for as long as it takes — a database outage must
     * not turn valid usage into dead letters. The batch is idempotent, so retries count nothing twice.
     */
    @Bean
    DefaultErrorHandler kafkaErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(5_000);
        return new DefaultErrorHandler(backOff);
    }
}
