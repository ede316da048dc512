package dev.symbolon.analytics.catalogue;

import dev.symbolon.contracts.PriceCatalogue;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * At start-up, adds the bundled catalogue's versions the table lacks (never touching a version that
 * exists, whoever wrote it), re-rating what they price, and publishes every model's versions on
 * {@code prices.v1} again, so that a new deployment prices today's models and edges always have the
 * table.
 */
@Component
class CatalogueSeed implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(CatalogueSeed.class);

    private final PriceChanges changes;

    CatalogueSeed(PriceChanges changes) {
        this.changes = changes;
    }

    @Override
    public void run(ApplicationArguments args) {
        List<PriceChanges.Change> done = changes.apply(
                PriceCatalogue.bundled().prices(),
                false,
                true,
                new PriceChanges.Actor("catalogue", "service", null, null));
        long added = done.stream()
                .filter(c -> c.written() != dev.symbolon.analytics.pricing.PriceTable.Written.UNCHANGED)
                .count();
        changes.publishAll();
        log.info("price catalogue: {} versions added from the bundled catalogue", added);
    }
}
