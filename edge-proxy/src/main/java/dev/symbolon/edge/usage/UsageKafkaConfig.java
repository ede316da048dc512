package dev.symbolon.edge.usage;

import dev.symbolon.contracts.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class UsageKafkaConfig {

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
