package dev.symbolon.edge.usage;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

@Configuration(proxyBeanMethods = false)
class UsageKafkaConfig {

    /**
     * Boot's template, without its Micrometer timer: a timer sample and a tagged meter lookup per
     * usage event on the sender thread, which shares the proxy's cores, for a metric nothing exports.
     */
    @Bean
    @SuppressWarnings("unchecked")
    KafkaTemplate<String, byte[]> kafkaTemplate(ProducerFactory<?, ?> producers) {
        KafkaTemplate<String, byte[]> template = new KafkaTemplate<>((ProducerFactory<String, byte[]>) producers);
        template.setMicrometerEnabled(false);
        return template;
    }
}
