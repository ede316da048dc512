package dev.symbolon.analytics.pricing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The price table, held in memory for ingest (reloaded whenever it changes here). A price for a
 * request is the one of its provider whose model is the longest prefix of the request's model, with
 * the latest effective date not after the request.
 */
@Component
public class PriceTable {

    private static final Pattern PROVIDER = Pattern.compile("[a-z][a-z0-9-]{0,30}(:[a-z0-9][a-z0-9_-]{0,40})?");

    private final JdbcClient jdbc;
    private volatile List<Price> prices;

    PriceTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The price in effect for a request, if any. */
    public Optional<Price> priceFor(String provider, String model, Instant at) {
        if (provider == null || model == null) {
            return Optional.empty();
        }
        return all().stream()
                .filter(p -> p.provider().equals(provider)
                        && p.matches(model)
                        && !p.effectiveFrom().isAfter(at))
                .max(Comparator.<Price>comparingInt(p -> p.model().length()).thenComparing(Price::effectiveFrom));
    }

    public List<Price> all() {
        List<Price> loaded = prices;
        if (loaded == null) {
            loaded = load();
            prices = loaded;
        }
        return loaded;
    }

    /** Adds a price (a new version when the model had one); later requests are priced with it. */
    @Transactional
    public Price add(Price price, String createdBy) {
        if (price.provider() == null || !PROVIDER.matcher(price.provider()).matches()) {
            throw new IllegalArgumentException("provider is a provider name such as openai or compat:name");
        }
        if (price.model() == null || price.model().isBlank() || price.model().length() > 200) {
            throw new IllegalArgumentException("model is required (a name or a prefix of names)");
        }
        for (BigDecimal amount :
                new BigDecimal[] {price.inputPerMtok(), price.cachedInputPerMtok(), price.outputPerMtok()}) {
            if (amount == null
                    || amount.signum() < 0
                    || amount.scale() > 6
                    || amount.precision() - amount.scale() > 12) {
                throw new IllegalArgumentException(
                        "prices are non-negative USD per million tokens, at most 6 decimals");
            }
        }
        if (price.effectiveFrom() == null) {
            throw new IllegalArgumentException("effectiveFrom is required");
        }
        int rows = jdbc.sql("insert into price (provider, model, effective_from, input_per_mtok, cached_input_per_mtok,"
                        + " output_per_mtok, created_by) values (:p, :m, :from, :in, :cached, :out, :by)"
                        + " on conflict do nothing")
                .param("p", price.provider())
                .param("m", price.model())
                .param("from", Timestamp.from(price.effectiveFrom()))
                .param("in", price.inputPerMtok())
                .param("cached", price.cachedInputPerMtok())
                .param("out", price.outputPerMtok())
                .param("by", createdBy)
                .update();
        if (rows == 0) {
            throw new IllegalStateException("a price for this model and effective date exists already");
        }
        prices = load();
        return price;
    }

    private List<Price> load() {
        return jdbc.sql("select provider, model, effective_from, input_per_mtok, cached_input_per_mtok, output_per_mtok"
                        + " from price")
                .query((rs, n) -> new Price(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getTimestamp(3).toInstant(),
                        rs.getBigDecimal(4),
                        rs.getBigDecimal(5),
                        rs.getBigDecimal(6)))
                .list();
    }
}
