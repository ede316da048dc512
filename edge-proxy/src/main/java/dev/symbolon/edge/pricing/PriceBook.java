package dev.symbolon.edge.pricing;

import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.PriceCatalogue;
import dev.symbolon.contracts.PriceList;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The price table as analytics publishes it on {@code prices.v1}, so that a request's worst case can
 * be priced and reserved against cost quotas, and its real usage settled, without calling anyone.
 * Prices are looked up with the same rule analytics charges with ({@link PriceCatalogue}).
 */
@Component
public class PriceBook {

    private final Map<String, List<PriceCard>> byModel = new ConcurrentHashMap<>();
    private volatile PriceCatalogue catalogue = PriceCatalogue.EMPTY;

    /** A model's versions as published: the latest list replaces the one held. */
    public synchronized void apply(PriceList list) {
        if (list.versions().isEmpty()) {
            byModel.remove(list.key());
        } else {
            byModel.put(list.key(), list.versions());
        }
        List<PriceCard> all = new ArrayList<>();
        byModel.values().forEach(all::addAll);
        catalogue = new PriceCatalogue(all);
    }

    /** The price of a request, if one applies. */
    public Optional<PriceCard> priceFor(String provider, String model, Instant at) {
        return catalogue.priceFor(provider, model, at);
    }
}
