package dev.symbolon.analytics.catalogue;

import dev.symbolon.analytics.ingest.UsageFacts;
import dev.symbolon.analytics.pricing.PriceTable;
import dev.symbolon.analytics.pricing.PriceTable.Written;
import dev.symbolon.analytics.quota.QuotaStatePublisher;
import dev.symbolon.contracts.AuditEvent;
import dev.symbolon.contracts.EventJson;
import dev.symbolon.contracts.KeyLifecycleEvent;
import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.PriceCatalogue;
import dev.symbolon.contracts.PriceList;
import dev.symbolon.contracts.Topics;
import dev.symbolon.support.outbox.Outbox;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every change of the price table, as one transaction each: the rows written, the facts they price
 * re-rated (with rollups and quota periods, exactly), the change recorded in {@code price_rerate},
 * the model's versions published on {@code prices.v1} and an audit entry on {@code audit.v1} (both
 * through the outbox, so neither is lost nor sent for a change that rolled back).
 */
@Service
class PriceChanges {

    /** How a change was made: where it is recorded as the actor. */
    public record Actor(String subject, String role, String sourceIp, String requestId) {}

    /** The result of one change per price version. */
    public record Change(PriceCard price, Written written, long factsRerated, BigDecimal costDeltaUsd) {}

    private final PriceTable table;
    private final UsageFacts facts;
    private final QuotaStatePublisher quotaStates;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Outbox outbox;

    PriceChanges(
            PriceTable table,
            UsageFacts facts,
            QuotaStatePublisher quotaStates,
            JdbcTemplate jdbc,
            TransactionTemplate transactions,
            Outbox outbox) {
        this.table = table;
        this.facts = facts;
        this.quotaStates = quotaStates;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.outbox = outbox;
    }

    /**
     * Writes price versions in one transaction.
     *
     * @param correct whether an existing version may be given new rates (else it is a conflict)
     * @param onlyMissing leave existing versions alone, whatever their rates (the bundled catalogue)
     */
    public List<Change> apply(List<PriceCard> cards, boolean correct, boolean onlyMissing, Actor actor) {
        Set<String> changedQuotas = new TreeSet<>();
        List<Change> changes = transactions.execute(tx -> {
            table.lockForChange();
            List<Change> done = new ArrayList<>();
            List<Pending> pending = new ArrayList<>();
            for (PriceCard card : cards) {
                Written result = onlyMissing
                                && table.version(card.provider(), card.model(), card.effectiveFrom())
                                        .isPresent()
                        ? Written.UNCHANGED
                        : table.write(card, actor.subject(), correct);
                if (result != Written.UNCHANGED) {
                    pending.add(new Pending(done.size(), card, result));
                }
                done.add(new Change(card, result, 0, BigDecimal.ZERO));
            }
            PriceCatalogue catalogue = table.load(); // re-rating prices with the whole new table
            for (Pending change : pending) {
                UsageFacts.Rerating rerating = facts.rerate(catalogue, change.card(), nextVersion(change.card()));
                changedQuotas.addAll(rerating.changedQuotas());
                Change rerated = new Change(change.card(), change.written(), rerating.facts(), rerating.costDelta());
                done.set(change.index(), rerated);
                record(rerated, actor);
            }
            return done;
        });
        quotaStates.changed(changedQuotas);
        table.current();
        return changes;
    }

    /** Sends every model's versions to {@code prices.v1} again (at start-up: a lost topic refills). */
    public void publishAll() {
        transactions.executeWithoutResult(tx -> {
            Map<String, PriceCard> models = new LinkedHashMap<>();
            for (PriceCard card : table.load().all()) {
                models.putIfAbsent(PriceList.key(card.provider(), card.model()), card);
            }
            models.values().forEach(this::publish);
        });
    }

    private record Pending(int index, PriceCard card, Written written) {}

    /** Until when a version applies: the model's next version, or forever. */
    private Instant nextVersion(PriceCard card) {
        return table.versions(card.provider(), card.model()).stream()
                .map(PriceCard::effectiveFrom)
                .filter(from -> from.isAfter(card.effectiveFrom()))
                .findFirst()
                .orElse(Instant.parse("9999-12-31T00:00:00Z"));
    }

    private void record(Change change, Actor actor) {
        PriceCard card = change.price();
        jdbc.update(
                "insert into price_rerate (provider, model, effective_from, change, changed_by, facts_rerated,"
                        + " cost_delta_usd) values (?, ?, ?, ?, ?, ?, ?)",
                card.provider(),
                card.model(),
                Timestamp.from(card.effectiveFrom()),
                change.written() == Written.CORRECTED ? "corrected" : "added",
                actor.subject(),
                change.factsRerated(),
                change.costDeltaUsd());
        publish(card);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("provider", card.provider());
        details.put("model", card.model());
        details.put("effectiveFrom", card.effectiveFrom().toString());
        details.put("inputPerMtok", card.rates().input().toPlainString());
        details.put("outputPerMtok", card.rates().output().toPlainString());
        details.put("factsRerated", Long.toString(change.factsRerated()));
        details.put("costDeltaUsd", change.costDeltaUsd().stripTrailingZeros().toPlainString());
        AuditEvent audit = new AuditEvent(
                UUID.randomUUID(),
                Instant.now(),
                KeyLifecycleEvent.PLATFORM_TENANT,
                AuditEvent.CURRENT_VERSION,
                actor.subject(),
                actor.role(),
                change.written() == Written.CORRECTED ? "price.corrected" : "price.added",
                card.provider() + "/" + card.model(),
                "usage-analytics-service",
                actor.sourceIp(),
                actor.requestId(),
                details);
        enqueue(Topics.AUDIT, audit.tenantId(), EventJson.encode(audit));
    }

    private void publish(PriceCard card) {
        PriceList list = new PriceList(
                UUID.randomUUID(),
                Instant.now(),
                KeyLifecycleEvent.PLATFORM_TENANT,
                PriceList.CURRENT_VERSION,
                card.provider(),
                card.model(),
                table.versions(card.provider(), card.model()));
        enqueue(Topics.PRICES, list.key(), EventJson.encode(list));
    }

    private void enqueue(String topic, String key, byte[] payload) {
        outbox.append(topic, key, payload);
    }
}
