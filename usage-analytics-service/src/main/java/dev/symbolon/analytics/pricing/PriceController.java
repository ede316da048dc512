package dev.symbolon.analytics.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The price table. A change is a new row with its effective date: requests before it keep their
 * price, requests from then on are priced with it as they arrive.
 */
@RestController
class PriceController {

    private final PriceTable prices;

    PriceController(PriceTable prices) {
        this.prices = prices;
    }

    @GetMapping("/analytics/prices")
    List<Price> list() {
        return prices.all().stream()
                .sorted(Comparator.comparing(Price::provider)
                        .thenComparing(Price::model)
                        .thenComparing(Price::effectiveFrom))
                .toList();
    }

    @PostMapping("/analytics/prices")
    @ResponseStatus(HttpStatus.CREATED)
    Price add(@RequestBody NewPrice request, org.springframework.web.server.ServerWebExchange exchange) {
        if (request == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "a price is required");
        }
        try {
            return prices.add(
                    new Price(
                            request.provider(),
                            request.model(),
                            request.effectiveFrom() == null ? Instant.now() : request.effectiveFrom(),
                            request.inputPerMtok(),
                            request.cachedInputPerMtok() == null
                                    ? request.inputPerMtok()
                                    : request.cachedInputPerMtok(),
                            request.outputPerMtok()),
                    String.valueOf(exchange.getAttributes()
                            .getOrDefault(dev.symbolon.analytics.web.AdminTokenFilter.CALLER, "unknown")));
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        } catch (IllegalStateException e) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, e.getMessage());
        }
    }

    /** USD per million tokens; {@code cachedInputPerMtok} defaults to the input price. */
    record NewPrice(
            String provider,
            String model,
            Instant effectiveFrom,
            BigDecimal inputPerMtok,
            BigDecimal cachedInputPerMtok,
            BigDecimal outputPerMtok) {}
}
