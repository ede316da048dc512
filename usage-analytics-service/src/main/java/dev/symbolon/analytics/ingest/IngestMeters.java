package dev.symbolon.analytics.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What ingest counts, once a batch has committed: {@code symbolon.analytics.events.ingested} (new
 * facts) and {@code .duplicates} (events already stored: a redelivery, a journal replay), {@code
 * symbolon.analytics.requests.unpriced} by provider, and {@code symbolon.analytics.spend} in USD by
 * provider and model (the price card's model: a bounded name). With {@code symbolon.metrics.tenant-label}
 * on, spend and unpriced requests are also by tenant (tenants are the operator's, so bounded; off by
 * default, since a large platform has many). Spend counts each request at the price it was ingested
 * with; a later re-rating corrects the stored facts and the finance API, not this counter. Ingest lag
 * per partition is the Kafka consumer's own {@code kafka_consumer_fetch_manager_records_lag}.
 */
@Component
class IngestMeters {

    private final MeterRegistry registry;
    private final boolean tenantLabel;
    private final Counter ingested;
    private final Counter duplicates;
    private final Map<String, Counter> spend = new ConcurrentHashMap<>();
    private final Map<String, Counter> unpriced = new ConcurrentHashMap<>();

    IngestMeters(MeterRegistry registry, @Value("${symbolon.metrics.tenant-label:false}") boolean tenantLabel) {
        this.registry = registry;
        this.tenantLabel = tenantLabel;
        this.ingested = Counter.builder("symbolon.analytics.events.ingested")
                .description("Usage events stored as new facts")
                .register(registry);
        this.duplicates = Counter.builder("symbolon.analytics.events.duplicates")
                .description("Usage events already stored (redelivered or replayed), counted once")
                .register(registry);
    }

    /** A committed batch of {@code received} events, of which {@code fresh} were new. */
    void stored(int received, List<UsageFacts.Priced> fresh) {
        ingested.increment(fresh.size());
        duplicates.increment(received - fresh.size());
        for (UsageFacts.Priced fact : fresh) {
            String provider =
                    fact.event().provider() == null ? "none" : fact.event().provider();
            String tenant = tenantLabel ? fact.event().tenantId() : "";
            if (fact.cost() == null) {
                unpriced.computeIfAbsent(
                                provider + '\n' + tenant,
                                k -> tagged(
                                        Counter.builder("symbolon.analytics.requests.unpriced")
                                                .description("Requests stored without a price (no price card matched)")
                                                .tag("provider", provider),
                                        tenant))
                        .increment();
            } else if (fact.cost().signum() > 0) {
                String model = fact.pricedAs();
                spend.computeIfAbsent(
                                provider + '\n' + model + '\n' + tenant,
                                k -> tagged(
                                        Counter.builder("symbolon.analytics.spend")
                                                .description(
                                                        "Cost of the requests ingested, at the price they were ingested with")
                                                .baseUnit("usd")
                                                .tag("provider", provider)
                                                .tag("model", model),
                                        tenant))
                        .increment(fact.cost().doubleValue());
            }
        }
    }

    private Counter tagged(Counter.Builder builder, String tenant) {
        return (tenantLabel ? builder.tag("tenant", tenant) : builder).register(registry);
    }
}
