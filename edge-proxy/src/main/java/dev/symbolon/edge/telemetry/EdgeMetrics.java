package dev.symbolon.edge.telemetry;

import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.Tokens;
import dev.symbolon.contracts.UsageRecorded.Outcome;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.pricing.PriceBook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The edge's request meters, each bound once and then only incremented: a request finds its
 * provider's and model's meters with two map look-ups (no registry look-up, nothing allocated).
 *
 * <p>Named after the OpenTelemetry GenAI semantic conventions where one exists ({@code
 * gen_ai.client.token.usage}, {@code gen_ai.client.operation.duration}, {@code
 * gen_ai.server.time_to_first_token}, {@code gen_ai.server.time_per_output_token}), with their
 * bucket boundaries; the rest are {@code symbolon.edge.*}. Every label is bounded: the provider is one
 * of the configured routes ({@code none} before one matched); the model is the name of the price card
 * that prices it ({@code other} for a model without a price, whatever the client wrote); outcomes,
 * status classes and refusal reasons are the edge's own constants. No request id, no tenant, no text.
 */
@Component
public class EdgeMetrics {

    /** gen_ai.client.token.usage's advised boundaries. */
    static final double[] TOKEN_BUCKETS = {
        1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
    };
    /** gen_ai.client.operation.duration's advised boundaries, seconds. */
    static final double[] DURATION_BUCKETS = {
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92
    };
    /** gen_ai.server.time_to_first_token's advised boundaries, seconds. */
    static final double[] FIRST_TOKEN_BUCKETS = {
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
    };
    /** gen_ai.server.time_per_output_token's advised boundaries, seconds. */
    static final double[] PER_TOKEN_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5};
    /** The gateway's own time: tenths of a millisecond to a second. */
    static final double[] OVERHEAD_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0
    };

    /** The model label of a model no price card names. */
    public static final String OTHER_MODEL = "other";
    /** The provider label of a request no route matched. */
    public static final String NO_PROVIDER = "none";
    /** Distinct client-written model names remembered per provider; beyond, each is looked up again. */
    static final int REMEMBERED_MODELS = 1024;

    private static final String[] STATUS_CLASSES = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final Outcome[] OUTCOMES = Outcome.values();

    private final MeterRegistry registry;
    private final PriceBook prices;
    private final Map<String, ProviderMeters> providers = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Timer overhead;

    EdgeMetrics(MeterRegistry registry, PriceBook prices) {
        this.registry = registry;
        this.prices = prices;
        this.overhead = Timer.builder("symbolon.edge.overhead")
                .description(
                        "Time the gateway adds before the provider is called (what x-symbolon-overhead-ms reports)")
                .serviceLevelObjectives(durations(OVERHEAD_BUCKETS))
                .register(registry);
    }

    /** The gateway's own time on a request it forwarded. */
    public void overhead(long nanos) {
        overhead.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A finished request, refused or forwarded: counted by provider, outcome and status class; if the
     * provider was called, its duration, tokens and (streams) time to first token and per output token.
     *
     * @param firstChunkNanos {@link System#nanoTime()} when the response's first bytes arrived; 0 if none
     */
    public void finished(ProxyCall call, int status, Outcome outcome, Tokens usage, long firstChunkNanos) {
        ProviderMeters provider = provider(call);
        provider.requests(outcome, status).increment();
        if (outcome == Outcome.UPSTREAM_ERROR) {
            provider.upstreamError(status >= 500 ? "status_5xx" : "status_4xx").increment();
        }
        if (call.upstreamNanos() == 0) {
            return;
        }
        long now = System.nanoTime();
        ModelMeters model = provider.model(call.payload().model());
        model.duration.record(now - call.request().receivedNanos(), TimeUnit.NANOSECONDS);
        if (usage.input() > 0) {
            model.input.record(usage.input());
        }
        if (usage.output() > 0) {
            model.output.record(usage.output());
        }
        if (firstChunkNanos != 0 && call.payload().stream()) {
            model.firstToken.record(firstChunkNanos - call.request().receivedNanos(), TimeUnit.NANOSECONDS);
            if (usage.output() > 1) {
                model.perToken.record((now - firstChunkNanos) / (usage.output() - 1), TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * A request the gateway answered itself: a refusal counts by reason ({@code rate_limited},
     * {@code quota_exceeded}, {@code ip_not_allowed}, ...); a failure to reach the provider counts as
     * an upstream error of its provider, by type ({@code upstream_timeout}, {@code upstream_unreachable}, ...).
     */
    public void refused(ProxyCall call, GatewayException refusal) {
        if (refusal.status().is5xxServerError()) {
            provider(call).upstreamError(refusal.type()).increment();
            return;
        }
        Counter counter = refusals.get(refusal.type());
        if (counter == null) {
            counter = refusals.computeIfAbsent(refusal.type(), reason -> Counter.builder("symbolon.edge.refusals")
                    .description("Requests the gateway refused, by reason")
                    .tag("reason", reason)
                    .register(registry));
        }
        counter.increment();
    }

    /**
     * A provider call the request moved on from to another key: an upstream error of its provider by
     * type ({@code status_4xx} for a 429, {@code status_5xx}, {@code upstream_timeout},
     * {@code upstream_unreachable}) and one {@code symbolon_edge_failovers_total} of the provider.
     */
    public void failedOver(ProxyCall call, String type) {
        ProviderMeters provider = provider(call);
        provider.upstreamError(type).increment();
        provider.failovers().increment();
    }

    /** A stream the provider broke off after it had begun answering. */
    public void interrupted(ProxyCall call) {
        provider(call).upstreamError("stream_interrupted").increment();
    }

    private ProviderMeters provider(ProxyCall call) {
        String name =
                call.route() == null ? NO_PROVIDER : call.route().provider().name();
        ProviderMeters meters = providers.get(name);
        return meters != null ? meters : providers.computeIfAbsent(name, ProviderMeters::new);
    }

    private static Duration[] durations(double[] seconds) {
        return Arrays.stream(seconds)
                .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                .toArray(Duration[]::new);
    }

    private final class ProviderMeters {
        private final String provider;
        private final Counter[][] requests = new Counter[OUTCOMES.length][STATUS_CLASSES.length];
        private final Map<String, Counter> upstreamErrors = new ConcurrentHashMap<>();
        private volatile Counter failovers;
        /** By the model the client wrote (bounded: see {@link #REMEMBERED_MODELS}). */
        private final Map<String, ModelMeters> byRequested = new ConcurrentHashMap<>();
        /** By label: a priced model's card name, or {@link #OTHER_MODEL}. */
        private final Map<String, ModelMeters> byLabel = new ConcurrentHashMap<>();

        ProviderMeters(String provider) {
            this.provider = provider;
        }

        Counter requests(Outcome outcome, int status) {
            int statusClass = status >= 100 && status < 600 ? status / 100 : 0;
            Counter counter = requests[outcome.ordinal()][statusClass];
            if (counter == null) {
                // a race registers the same meter twice: the registry hands back the one it holds
                counter = Counter.builder("symbolon.edge.requests")
                        .description("Requests finished, by provider, outcome and status class")
                        .tag("provider", provider)
                        .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                        .tag("status", STATUS_CLASSES[statusClass])
                        .register(registry);
                requests[outcome.ordinal()][statusClass] = counter;
            }
            return counter;
        }

        Counter failovers() {
            Counter counter = failovers;
            if (counter == null) {
                counter = Counter.builder("symbolon.edge.failovers")
                        .description("Provider calls a request moved on from to another key, by provider")
                        .tag("provider", provider)
                        .register(registry);
                failovers = counter;
            }
            return counter;
        }

        Counter upstreamError(String type) {
            Counter counter = upstreamErrors.get(type);
            return counter != null
                    ? counter
                    : upstreamErrors.computeIfAbsent(type, t -> Counter.builder("symbolon.edge.upstream.errors")
                            .description("Provider calls that failed, by provider and type")
                            .tag("provider", provider)
                            .tag("type", t)
                            .register(registry));
        }

        ModelMeters model(String requested) {
            String key = requested == null ? "" : requested;
            ModelMeters meters = byRequested.get(key);
            if (meters != null) {
                return meters;
            }
            String label = prices.priceFor(provider, requested, Instant.now())
                    .map(PriceCard::model)
                    .orElse(OTHER_MODEL);
            meters = byLabel.computeIfAbsent(label, l -> new ModelMeters(registry, provider, l));
            if (byRequested.size() < REMEMBERED_MODELS) {
                byRequested.put(key, meters);
            }
            return meters;
        }
    }

    private static final class ModelMeters {
        final DistributionSummary input;
        final DistributionSummary output;
        final Timer duration;
        final Timer firstToken;
        final Timer perToken;

        ModelMeters(MeterRegistry registry, String provider, String model) {
            input = tokens(registry, provider, model, "input");
            output = tokens(registry, provider, model, "output");
            duration = Timer.builder("gen_ai.client.operation.duration")
                    .description("Duration of a provider call as the client sees it, arrival to last byte")
                    .tag("gen_ai.provider.name", provider)
                    .tag("gen_ai.request.model", model)
                    .serviceLevelObjectives(durations(DURATION_BUCKETS))
                    .register(registry);
            firstToken = Timer.builder("gen_ai.server.time_to_first_token")
                    .description("Streams: arrival of the request to the provider's first bytes")
                    .tag("gen_ai.provider.name", provider)
                    .tag("gen_ai.request.model", model)
                    .serviceLevelObjectives(durations(FIRST_TOKEN_BUCKETS))
                    .register(registry);
            perToken = Timer.builder("gen_ai.server.time_per_output_token")
                    .description("Streams: time per output token after the first")
                    .tag("gen_ai.provider.name", provider)
                    .tag("gen_ai.request.model", model)
                    .serviceLevelObjectives(durations(PER_TOKEN_BUCKETS))
                    .register(registry);
        }

        private static DistributionSummary tokens(MeterRegistry registry, String provider, String model, String type) {
            return DistributionSummary.builder("gen_ai.client.token.usage")
                    .description("Tokens per provider call, by token type")
                    .tag("gen_ai.provider.name", provider)
                    .tag("gen_ai.request.model", model)
                    .tag("gen_ai.token.type", type)
                    .serviceLevelObjectives(TOKEN_BUCKETS)
                    .register(registry);
        }
    }
}
