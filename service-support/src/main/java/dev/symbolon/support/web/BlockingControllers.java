package dev.symbolon.support.web;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.web.reactive.config.BlockingExecutionConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * Controllers with plain (blocking) return types, as the JDBC-backed services write them, run off the
 * event loop on a bounded pool: at most {@code symbolon.web.blocking-threads} at once, threads named
 * after the application. A service opts in by setting that property (the edge, all reactive, does not).
 * Each call runs with its request's {@link LogContext}: the ids in the MDC, its trace context current.
 */
public final class BlockingControllers implements WebFluxConfigurer {

    private final String name;
    private final int threads;

    public BlockingControllers(String name, int threads) {
        this.name = name;
        this.threads = threads;
    }

    @Override
    public void configureBlockingExecution(BlockingExecutionConfigurer configurer) {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor(name + "-web-");
        executor.setConcurrencyLimit(threads);
        executor.setTaskDecorator(new ContextPropagatingTaskDecorator());
        configurer.setExecutor(executor);
    }
}
