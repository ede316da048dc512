package dev.symbolon.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every price version of every model, immutable, and the one rule that picks a request's price: of
 * its provider's prices whose model is a prefix of the request's model, the longest, in its version
 * effective at the time of the request (the latest effective date not after it).
 */
public final class PriceCatalogue {

    public static final PriceCatalogue EMPTY = new PriceCatalogue(List.of());

    /** Where the bundled catalogue of current list prices lies on the class path. */
    public static final String BUNDLED = "/prices/catalogue.json";

    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * A price file: {@code {"prices": [PriceCard, ...]}}, the format of the bundled catalogue and of
     * an import.
     */
    public record PriceFile(String about, List<PriceCard> prices) {
        public PriceFile {
            prices = prices == null ? List.of() : List.copyOf(prices);
        }
    }

    /**
     * Reads a price file.
     *
     * @throws IllegalArgumentException naming what is wrong when it is not one
     */
    public static PriceFile read(byte[] json) {
        try {
            PriceFile file = JSON.readValue(json, PriceFile.class);
            if (file == null) {
                throw new IllegalArgumentException("a price file is {\"prices\": [...]}");
            }
            return file;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a price file: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads one price version; a missing {@code effectiveFrom} is {@code defaultFrom}.
     *
     * @throws IllegalArgumentException naming what is wrong when it is not one
     */
    public static PriceCard readCard(byte[] json, Instant defaultFrom) {
        try {
            tools.jackson.databind.JsonNode tree = JSON.readTree(json);
            if (tree == null || !tree.isObject()) {
                throw new IllegalArgumentException("a price is a JSON object");
            }
            if (defaultFrom != null && tree.path("effectiveFrom").isMissingNode()) {
                ((tools.jackson.databind.node.ObjectNode) tree).put("effectiveFrom", defaultFrom.toString());
            }
            return JSON.treeToValue(tree, PriceCard.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a price: " + e.getOriginalMessage(), e);
        }
    }

    /** The catalogue of current list prices this build ships with. */
    public static PriceFile bundled() {
        try (InputStream in = PriceCatalogue.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("no " + BUNDLED + " on the class path");
            }
            return read(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

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
