package dev.symbolon.analytics.pricing;

import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.PriceCard.Rates;
import dev.symbolon.contracts.PriceCatalogue;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The price table: its rows in PostgreSQL, and the {@link PriceCatalogue} built from them that ingest
 * prices with. Every change bumps {@code price_generation} in its own transaction; ingest reads the
 * generation {@code for share} at the start of each batch ({@link #current()}), so a batch is
 * priced with the table as committed, never half a change, on every instance alike.
 */
@Component
public class PriceTable {

    private static final Pattern PROVIDER = Pattern.compile("[a-z][a-z0-9-]{0,30}(:[a-z0-9][a-z0-9_-]{0,40})?");
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+_-]{0,199}");

    private static final String COLUMNS = "provider, model, effective_from, input_per_mtok, cached_input_per_mtok,"
            + " cache_write_5m_per_mtok, cache_write_1h_per_mtok, output_per_mtok, audio_input_per_mtok,"
            + " audio_output_per_mtok, long_context_above, long_input_per_mtok, long_cached_input_per_mtok,"
            + " long_cache_write_5m_per_mtok, long_cache_write_1h_per_mtok, long_output_per_mtok,"
            + " long_audio_input_per_mtok, long_audio_output_per_mtok, max_output_tokens";

    private final JdbcClient jdbc;
    private volatile Loaded loaded;

    PriceTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    private record Loaded(long generation, PriceCatalogue catalogue) {}

    /** What a write did. */
    public enum Written {
        ADDED,
        CORRECTED,
        UNCHANGED
    }

    /** The catalogue as last loaded (without looking at the database). */
    public PriceCatalogue catalogue() {
        Loaded held = loaded;
        return held != null ? held.catalogue : current();
    }

    /**
     * The catalogue as committed, reloaded if another transaction changed it; in a transaction, the
     * generation stays locked against changes until it ends.
     */
    public PriceCatalogue current() {
        long generation = jdbc.sql("select generation from price_generation for share")
                .query(Long.class)
                .single();
        Loaded held = loaded;
        if (held == null || held.generation != generation) {
            held = new Loaded(generation, load());
            loaded = held;
        }
        return held.catalogue;
    }

    /** The price in effect for a request, if any. */
    public Optional<PriceCard> priceFor(String provider, String model, Instant at) {
        return catalogue().priceFor(provider, model, at);
    }

    public List<PriceCard> all() {
        return catalogue().all();
    }

    /**
     * Locks the table against ingest and other changes until the caller's transaction ends, and
     * marks it changed. Every change calls this first.
     */
    public void lockForChange() {
        jdbc.sql("update price_generation set generation = generation + 1").update();
    }

    /**
     * Writes one price version in the caller's transaction (after {@link #lockForChange()}): a new
     * row, or, when {@code correct} is set, new rates for the version of that effective date.
     *
     * @throws IllegalArgumentException naming the field that is wrong
     * @throws IllegalStateException when the version exists and {@code correct} is not set
     */
    public Written write(PriceCard card, String by, boolean correct) {
        validate(card);
        Optional<PriceCard> existing = version(card.provider(), card.model(), card.effectiveFrom());
        if (existing.isPresent()) {
            if (same(existing.get(), card)) {
                return Written.UNCHANGED;
            }
            if (!correct) {
                throw new IllegalStateException("a price for " + card.provider() + " " + card.model() + " from "
                        + card.effectiveFrom() + " exists already; correct it with PUT");
            }
            jdbc.sql("delete from price where provider = :p and model = :m and effective_from = :from")
                    .param("p", card.provider())
                    .param("m", card.model())
                    .param("from", Timestamp.from(card.effectiveFrom()))
                    .update();
        }
        insert(card, by);
        return existing.isPresent() ? Written.CORRECTED : Written.ADDED;
    }

    /** The version of a model with this effective date, read in the caller's transaction. */
    public Optional<PriceCard> version(String provider, String model, Instant effectiveFrom) {
        return jdbc.sql("select " + COLUMNS + " from price where provider = :p and model = :m and effective_from = :f")
                .param("p", provider)
                .param("m", model)
                .param("f", Timestamp.from(effectiveFrom))
                .query((rs, n) -> card(rs))
                .optional();
    }

    /** Every version of one model, oldest first, read in the caller's transaction. */
    public List<PriceCard> versions(String provider, String model) {
        return jdbc.sql("select " + COLUMNS + " from price where provider = :p and model = :m order by effective_from")
                .param("p", provider)
                .param("m", model)
                .query((rs, n) -> card(rs))
                .list();
    }

    /** The whole table, read in the caller's transaction. */
    public PriceCatalogue load() {
        return new PriceCatalogue(jdbc.sql("select " + COLUMNS + " from price")
                .query((rs, n) -> card(rs))
                .list());
    }

    private void insert(PriceCard card, String by) {
        Rates r = card.rates();
        Rates l = card.longContext();
        jdbc.sql("insert into price (" + COLUMNS + ", created_by, updated_at) values (:p, :m, :from, :in, :cached,"
                        + " :w5, :w1, :out, :ain, :aout, :above, :lin, :lcached, :lw5, :lw1, :lout, :lain, :laout,"
                        + " :max, :by, now())")
                .param("p", card.provider())
                .param("m", card.model())
                .param("from", Timestamp.from(card.effectiveFrom()))
                .param("in", r.input())
                .param("cached", r.cachedInput())
                .param("w5", r.cacheWrite5m())
                .param("w1", r.cacheWrite1h())
                .param("out", r.output())
                .param("ain", r.audioInput())
                .param("aout", r.audioOutput())
                .param("above", card.longContextAbove())
                .param("lin", l == null ? null : l.input())
                .param("lcached", l == null ? null : l.cachedInput())
                .param("lw5", l == null ? null : l.cacheWrite5m())
                .param("lw1", l == null ? null : l.cacheWrite1h())
                .param("lout", l == null ? null : l.output())
                .param("lain", l == null ? null : l.audioInput())
                .param("laout", l == null ? null : l.audioOutput())
                .param("max", card.maxOutputTokens())
                .param("by", by)
                .update();
    }

    private static PriceCard card(ResultSet rs) throws SQLException {
        Long above = (Long) rs.getObject("long_context_above", Long.class);
        Rates longContext = above == null
                ? null
                : new Rates(
                        rs.getBigDecimal("long_input_per_mtok"),
                        rs.getBigDecimal("long_cached_input_per_mtok"),
                        rs.getBigDecimal("long_cache_write_5m_per_mtok"),
                        rs.getBigDecimal("long_cache_write_1h_per_mtok"),
                        rs.getBigDecimal("long_output_per_mtok"),
                        rs.getBigDecimal("long_audio_input_per_mtok"),
                        rs.getBigDecimal("long_audio_output_per_mtok"));
        return new PriceCard(
                rs.getString("provider"),
                rs.getString("model"),
                rs.getTimestamp("effective_from").toInstant(),
                new Rates(
                        rs.getBigDecimal("input_per_mtok"),
                        rs.getBigDecimal("cached_input_per_mtok"),
                        rs.getBigDecimal("cache_write_5m_per_mtok"),
                        rs.getBigDecimal("cache_write_1h_per_mtok"),
                        rs.getBigDecimal("output_per_mtok"),
                        rs.getBigDecimal("audio_input_per_mtok"),
                        rs.getBigDecimal("audio_output_per_mtok")),
                above,
                longContext,
                (Long) rs.getObject("max_output_tokens", Long.class));
    }

    /** Whether two versions charge the same (rates compared by value: 3.0 is 3.00). */
    static boolean same(PriceCard a, PriceCard b) {
        return same(a.rates(), b.rates())
                && java.util.Objects.equals(a.longContextAbove(), b.longContextAbove())
                && (a.longContext() == null ? b.longContext() == null : same(a.longContext(), b.longContext()))
                && java.util.Objects.equals(a.maxOutputTokens(), b.maxOutputTokens());
    }

    private static boolean same(Rates a, Rates b) {
        if (b == null) {
            return false;
        }
        return eq(a.input(), b.input())
                && eq(a.cachedInput(), b.cachedInput())
                && eq(a.cacheWrite5m(), b.cacheWrite5m())
                && eq(a.cacheWrite1h(), b.cacheWrite1h())
                && eq(a.output(), b.output())
                && eq(a.audioInput(), b.audioInput())
                && eq(a.audioOutput(), b.audioOutput());
    }

    private static boolean eq(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }

    /** Refuses a price the table cannot hold, naming the field. */
    static void validate(PriceCard card) {
        if (!PROVIDER.matcher(card.provider()).matches()) {
            throw new IllegalArgumentException("provider is a provider name such as openai or compat:name");
        }
        if (!MODEL.matcher(card.model()).matches()) {
            throw new IllegalArgumentException(
                    "model is a model name or prefix: up to 200 letters, digits and . _ : / @ + -");
        }
        rates("rates", card.rates());
        if (card.longContext() != null) {
            rates("longContext", card.longContext());
            if (card.longContextAbove() <= 0) {
                throw new IllegalArgumentException("longContextAbove is a positive number of prompt tokens");
            }
        }
        if (card.maxOutputTokens() != null && card.maxOutputTokens() < 0) {
            throw new IllegalArgumentException("maxOutputTokens is not negative");
        }
    }

    private static void rates(String name, Rates rates) {
        String[] fields = {"input", "cachedInput", "cacheWrite5m", "cacheWrite1h", "output", "audioInput", "audioOutput"
        };
        BigDecimal[] amounts = {
            rates.input(),
            rates.cachedInput(),
            rates.cacheWrite5m(),
            rates.cacheWrite1h(),
            rates.output(),
            rates.audioInput(),
            rates.audioOutput()
        };
        for (int i = 0; i < amounts.length; i++) {
            BigDecimal amount = amounts[i];
            if (amount != null
                    && (amount.signum() < 0 || amount.scale() > 6 || amount.precision() - amount.scale() > 12)) {
                throw new IllegalArgumentException(name + "." + fields[i]
                        + " is a non-negative price in USD per million tokens, at most 6 decimals");
            }
        }
    }
}
