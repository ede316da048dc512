package dev.symbolon.webhooks.delivery;

import dev.symbolon.contracts.TargetGuard;
import dev.symbolon.support.traces.Traces;
import dev.symbolon.webhooks.DispatcherProperties;
import dev.symbolon.webhooks.receiver.ReceiverClient;
import dev.symbolon.webhooks.signing.Secrets;
import dev.symbolon.webhooks.signing.WebhookSigner;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Runs due deliveries: claims them from PostgreSQL (leased, {@code skip locked}), checks the target
 * and connects to the address it checked ({@link ReceiverClient}), signs per Standard Webhooks with every
 * current secret, and records the outcome — 2xx ends it, 410 disables the endpoint, anything else
 * (3xx included: redirects are not followed) retries on the schedule, then dead-letters. At most
 * {@code max-in-flight-per-endpoint} attempts run against one endpoint, so a slow receiver only slows
 * itself.
 */
@Component
class DeliveryWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final int CLAIM = 50;

    private final Deliveries deliveries;
    private final Secrets secrets;
    private final DispatcherProperties properties;
    private final ReceiverClient targets;
    private final DeliveryMeters meters;
    private final Traces traces;
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean ticking = new AtomicBoolean();
    private ScheduledExecutorService ticker;
    private volatile boolean running;

    DeliveryWorker(
            Deliveries deliveries,
            Secrets secrets,
            ReceiverClient targets,
            DeliveryMeters meters,
            Traces traces,
            DispatcherProperties properties) {
        this.deliveries = deliveries;
        this.meters = meters;
        this.traces = traces;
        this.secrets = secrets;
        this.targets = targets;
        this.properties = properties;
    }

    /** Looks for due deliveries now (after new ones were stored). */
    void wakeUp() {
        ScheduledExecutorService current = ticker;
        if (current != null && running) {
            current.execute(this::tick);
        }
    }

    private void tick() {
        if (!running || !ticking.compareAndSet(false, true)) {
            return;
        }
        try {
            Set<String> saturated = inFlight.entrySet().stream()
                    .filter(e -> e.getValue().availablePermits() == 0)
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
            List<Deliveries.Due> due = deliveries.claim(CLAIM, saturated);
            for (Deliveries.Due delivery : due) {
                Semaphore slots = inFlight.computeIfAbsent(
                        delivery.endpointId(), e -> new Semaphore(properties.maxInFlightPerEndpoint()));
                if (!slots.tryAcquire()) {
                    deliveries.release(delivery.deliveryId()); // this endpoint is full: later, not now
                    continue;
                }
                attempt(delivery).doFinally(s -> slots.release()).subscribe();
            }
            meters.refreshNowAndThen();
        } catch (RuntimeException e) {
            log.warn("claiming deliveries failed: {}", e.getClass().getSimpleName());
        } finally {
            ticking.set(false);
        }
    }

    /**
     * The span of one attempt, in the trace of the notification it delivers (named by attempt and
     * outcome; never the URL, which may hold a tenant's token); null while tracing is off or untraced.
     */
    private Span attemptSpan(Deliveries.Due delivery) {
        if (!traces.enabled() || delivery.traceparent() == null) {
            return null;
        }
        Span span = traces.start("webhook deliver", SpanKind.CLIENT, Traces.fromTraceparent(delivery.traceparent()));
        span.setAttribute("symbolon.webhook.attempt", delivery.attempts() + 1L);
        return span;
    }

    private Mono<Void> attempt(Deliveries.Due delivery) {
        Instant started = Instant.now();
        long startNanos = System.nanoTime();
        Span span = attemptSpan(delivery);
        return Mono.fromCallable(() -> prepare(delivery))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(prepared -> send(prepared, delivery))
                .onErrorResume(e -> Mono.just(new Result(null, ReceiverClient.describe(e), null)))
                .publishOn(Schedulers.boundedElastic())
                .doOnNext(result -> {
                    long latencyMs = (System.nanoTime() - startNanos) / 1_000_000;
                    Deliveries.Next next = deliveries.record(
                            delivery,
                            started,
                            latencyMs,
                            result.status(),
                            result.error(),
                            result.retryAfter(),
                            properties.retrySchedule());
                    meters.attempted(next, result.status(), System.nanoTime() - startNanos);
                    if (span != null) {
                        if (result.status() != null) {
                            span.setAttribute(
                                    "http.response.status_code", result.status().longValue());
                        }
                        span.setAttribute(
                                "symbolon.webhook.outcome", next.name().toLowerCase(java.util.Locale.ROOT));
                        if (next != Deliveries.Next.DONE) {
                            span.setStatus(StatusCode.ERROR);
                        }
                        span.end();
                    }
                    if (next == Deliveries.Next.DEAD) {
                        log.warn(
                                "delivery {} to endpoint {} dead-lettered after {} attempts",
                                delivery.deliveryId(),
                                delivery.endpointId(),
                                delivery.attempts() + 1);
                    } else if (next == Deliveries.Next.DISABLED) {
                        log.warn("endpoint {} disabled: it answered 410 Gone", delivery.endpointId());
                    }
                })
                .then();
    }

    private Prepared prepare(Deliveries.Due delivery) throws TargetGuard.Refused {
        TargetGuard.Checked target = targets.check(delivery.url());
        List<String> keys = secrets.of(delivery.tenantId(), delivery.endpointId());
        if (keys.isEmpty()) {
            throw new IllegalStateException("no signing secret for the endpoint");
        }
        long timestamp = Instant.now().getEpochSecond();
        return new Prepared(
                target, timestamp, WebhookSigner.header(keys, delivery.webhookId(), timestamp, delivery.payload()));
    }

    private Mono<Result> send(Prepared prepared, Deliveries.Due delivery) {
        return targets.post(
                        prepared.target(),
                        Map.of(
                                "webhook-id", delivery.webhookId(),
                                "webhook-timestamp", Long.toString(prepared.timestamp()),
                                "webhook-signature", prepared.signature()),
                        delivery.payload())
                .map(answer -> new Result(answer.status(), null, answer.retryAfter()));
    }

    @Override
    public void start() {
        running = true;
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "webhook-deliveries");
            thread.setDaemon(true);
            return thread;
        });
        long every = properties.pollInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private record Prepared(TargetGuard.Checked target, long timestamp, String signature) {
        @Override
        public String toString() {
            return "Prepared[" + target.host() + "]";
        }
    }

    /** @param retryAfter what the receiver asked for in {@code Retry-After}; null when nothing usable */
    private record Result(Integer status, String error, java.time.Duration retryAfter) {}
}
