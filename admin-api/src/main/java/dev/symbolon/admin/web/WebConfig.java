package dev.symbolon.admin.web;

import dev.symbolon.admin.auth.PrincipalArgumentResolver;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
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
}
