package dev.symbolon.admin.web;

import dev.symbolon.admin.auth.PrincipalArgumentResolver;
import dev.symbolon.contracts.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.web.reactive.config.BlockingExecutionConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

@Configuration(proxyBeanMethods = false)
class WebConfig implements WebFluxConfigurer {

    private final PrincipalArgumentResolver principals;

    WebConfig(PrincipalArgumentResolver principals) {
        this.principals = principals;
    }

    /** Controllers with plain (blocking) return types run off the event loop, on a bounded pool. */
    @Override
    public void configureBlockingExecution(BlockingExecutionConfigurer configurer) {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("admin-web-");
        executor.setConcurrencyLimit(32);
        configurer.setExecutor(executor);
    }

    @Override
    public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(principals);
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
