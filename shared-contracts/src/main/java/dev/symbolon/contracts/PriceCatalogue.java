package dev.symbolon.contracts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every price version of every model, immutable, and the one rule that picks a request's price: of
 * its provider's prices whose model is a prefix of the request's model, the longest, in its version
 * effective at the time of the request (the latest effective date not after it).
 */
public final class PriceCatalogue {

    public static final PriceCatalogue EMPTY = new PriceCatalogue(List.of());

    /** Per provider, longest model first, then latest version first. */
    private final Map<String, List<PriceCard>> byProvider = new HashMap<>();

    private final List<PriceCard> all;

    public PriceCatalogue(Collection<PriceCard> cards) {
        this.all = List.copyOf(cards);
        for (PriceCard card : cards) {
            byProvider.computeIfAbsent(card.provider(), p -> new ArrayList<>()).add(card);
        }
        Comparator<PriceCard> order = Comparator.<PriceCard>comparingInt(
                        c -> c.model().length())
                .reversed()
                .thenComparing(PriceCard::model)
                .thenComparing(PriceCard::effectiveFrom, Comparator.reverseOrder());
        byProvider.replaceAll((provider, list) -> {
            list.sort(order);
            return List.copyOf(list);
        });
    }

    /** The price of a request, if one applies. */
    public Optional<PriceCard> priceFor(String provider, String model, Instant at) {
        if (provider == null || model == null) {
            return Optional.empty();
        }
        List<PriceCard> cards = byProvider.get(provider);
        if (cards == null) {
            return Optional.empty();
        }
        for (PriceCard card : cards) {
            if (card.matches(model) && !card.effectiveFrom().isAfter(at)) {
                return Optional.of(card);
            }
        }
        return Optional.empty();
    }

    public List<PriceCard> all() {
        return all;
    }
}
