package dev.symbolon.keyvault.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.web.reactive.config.BlockingExecutionConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

@Configuration(proxyBeanMethods = false)
class WebConfig implements WebFluxConfigurer {

    /** Controllers with plain (blocking) return types run off the event loop, on a bounded pool. */
    @Override
    public void configureBlockingExecution(BlockingExecutionConfigurer configurer) {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("key-vault-web-");
        executor.setConcurrencyLimit(32);
        configurer.setExecutor(executor);
    }
}
