package dev.symbolon.support.outbox;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/** The transactional outbox, for a service that names its table ({@code symbolon.outbox.table}). */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
@ConditionalOnClass(JdbcTemplate.class)
@ConditionalOnProperty("symbolon.outbox.table")
public class OutboxAutoConfiguration {

    @Bean
    Outbox outbox(
            JdbcTemplate jdbc,
            PlatformTransactionManager transactions,
            KafkaTemplate<String, byte[]> kafka,
            @Value("${symbolon.outbox.table}") String table,
            @Value("${symbolon.outbox.poll-interval:1s}") Duration pollInterval,
            @Value("${symbolon.outbox.keep-published:7d}") Duration keepPublished) {
        return new Outbox(jdbc, transactions, kafka, table, pollInterval, keepPublished);
    }
}
