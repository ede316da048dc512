package dev.symbolon.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Every price version of one model ({@code prices.v1}, compacted, key {@code provider/model}),
 * published by usage-analytics-service whenever its price table changes, so that an edge can price
 * a request's worst case without calling anyone.
 *
 * @param tenantId always {@link KeyLifecycleEvent#PLATFORM_TENANT}: prices are the operator's
 * @param versions the model's prices, each with its effective date
 */
public record PriceList(
        UUID eventId,
        Instant occurredAt,
        String tenantId,
        int version,
        String provider,
        String model,
        List<PriceCard> versions)
        implements Event {

    public static final int CURRENT_VERSION = 1;

    public PriceList {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        versions = versions == null ? List.of() : List.copyOf(versions);
    }

    /** The Kafka key: {@code provider/model}. */
    public String key() {
        return key(provider, model);
    }

    public static String key(String provider, String model) {
        return provider + "/" + model;
    }
}
