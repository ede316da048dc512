package dev.symbolon.analytics.catalogue;

import dev.symbolon.analytics.pricing.PriceTable;
import dev.symbolon.analytics.pricing.PriceTable.Written;
import dev.symbolon.contracts.PriceCard;
import dev.symbolon.contracts.PriceCatalogue;
import dev.symbolon.support.auth.AdminCaller;
import dev.symbolon.support.web.ClientError;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * The price table over HTTP. A new version applies from its effective date; a version dated in the
 * past, a correction ({@code PUT}) and an import re-rate the facts of the period they price, with
 * their rollups and quota periods, and say how many facts moved and by how much.
 */
@RestController
class PriceController {

    private final PriceTable table;
    private final PriceChanges changes;
    private final JdbcClient jdbc;

    PriceController(PriceTable table, PriceChanges changes, JdbcClient jdbc) {
        this.table = table;
        this.changes = changes;
        this.jdbc = jdbc;
    }

    @GetMapping("/analytics/prices")
    List<PriceCard> list() {
        return table.current().all().stream()
                .sorted(Comparator.comparing(PriceCard::provider)
                        .thenComparing(PriceCard::model)
                        .thenComparing(PriceCard::effectiveFrom))
                .toList();
    }

    /** Every change of the table with what it re-rated, newest first. */
    @GetMapping("/analytics/prices/changes")
    List<Map<String, Object>> history() {
        return jdbc.sql(
                        "select provider, model, effective_from as \"effectiveFrom\", change, changed_by as \"changedBy\","
                                + " changed_at as \"changedAt\", facts_rerated as \"factsRerated\","
                                + " cost_delta_usd as \"costDeltaUsd\" from price_rerate order by id desc limit 1000")
                .query()
                .listOfRows();
    }

    /** A new version: 201, or 409 when the model has a version of that effective date. */
    @PostMapping("/analytics/prices")
    ResponseEntity<PriceChanges.Change> add(@RequestBody(required = false) byte[] body, ServerWebExchange exchange) {
        PriceCard card = card(body, Instant.now());
        PriceChanges.Change change = apply(List.of(card), false, exchange).get(0);
        return ResponseEntity.status(change.written() == Written.UNCHANGED ? HttpStatus.OK : HttpStatus.CREATED)
                .body(change);
    }

    /** New rates for an existing version (its effective date names it): 404 when there is none. */
    @PutMapping("/analytics/prices")
    PriceChanges.Change correct(@RequestBody(required = false) byte[] body, ServerWebExchange exchange) {
        PriceCard card = card(body, null);
        if (table.current().all().stream()
                .noneMatch(p -> p.provider().equals(card.provider())
                        && p.model().equals(card.model())
                        && p.effectiveFrom().equals(card.effectiveFrom()))) {
            throw ClientError.notFound("price version (POST adds one)");
        }
        return apply(List.of(card), true, exchange).get(0);
    }

    /** A price file ({@code {"prices": [...]}}): versions added or corrected, all in one transaction. */
    @PostMapping("/analytics/prices/import")
    Imported importFile(@RequestBody(required = false) byte[] body, ServerWebExchange exchange) {
        PriceCatalogue.PriceFile file;
        try {
            file = PriceCatalogue.read(body == null ? new byte[0] : body);
        } catch (IllegalArgumentException e) {
            throw ClientError.badRequest(e.getMessage());
        }
        if (file.prices().isEmpty() || file.prices().size() > 10_000) {
            throw ClientError.badRequest("a price file holds 1 to 10000 prices");
        }
        List<PriceChanges.Change> done = apply(file.prices(), true, exchange);
        return new Imported(
                done.stream().filter(c -> c.written() == Written.ADDED).count(),
                done.stream().filter(c -> c.written() == Written.CORRECTED).count(),
                done.stream().filter(c -> c.written() == Written.UNCHANGED).count(),
                done.stream().mapToLong(PriceChanges.Change::factsRerated).sum(),
                done.stream().map(PriceChanges.Change::costDeltaUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
    }

    record Imported(long added, long corrected, long unchanged, long factsRerated, BigDecimal costDeltaUsd) {}

    private List<PriceChanges.Change> apply(List<PriceCard> cards, boolean correct, ServerWebExchange exchange) {
        try {
            return changes.apply(cards, correct, false, actor(exchange));
        } catch (IllegalArgumentException e) {
            throw ClientError.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw new ClientError(HttpStatus.CONFLICT, "conflict", e.getMessage());
        }
    }

    private static PriceCard card(byte[] body, Instant defaultFrom) {
        if (body == null || body.length == 0) {
            throw ClientError.badRequest("a price is required");
        }
        try {
            return PriceCatalogue.readCard(body, defaultFrom);
        } catch (IllegalArgumentException e) {
            throw ClientError.badRequest(e.getMessage());
        }
    }

    private static PriceChanges.Actor actor(ServerWebExchange exchange) {
        AdminCaller caller = AdminCaller.of(exchange).orElse(new AdminCaller("unknown", "unknown", null));
        var address = exchange.getRequest().getRemoteAddress();
        return new PriceChanges.Actor(
                caller.subject(),
                caller.role(),
                address == null || address.getAddress() == null
                        ? null
                        : address.getAddress().getHostAddress(),
                exchange.getRequest().getHeaders().getFirst("x-request-id"));
    }
}
