package dev.symbolon.edge.usage;

import dev.symbolon.contracts.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
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

    /** Creates missing topics of the shared layout at start-up; existing ones are left as they are. */
    @Bean
    KafkaAdmin.NewTopics symbolonTopics() {
        return new KafkaAdmin.NewTopics(Topics.LAYOUT.stream()
                .map(spec -> {
                    TopicBuilder topic = TopicBuilder.name(spec.name()).partitions(spec.partitions());
                    return spec.compacted() ? topic.compact().build() : topic.build();
                })
                .toArray(NewTopic[]::new));
    }
}
