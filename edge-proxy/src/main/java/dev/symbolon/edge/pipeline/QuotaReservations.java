package dev.symbolon.edge.pipeline;

import dev.symbolon.contracts.PriceCard;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.limits.Quotas;
import dev.symbolon.edge.pricing.PriceBook;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The reserve step: prices a request's worst case, reserves it against the daily and monthly quotas
 * of tenant and app, and, where the policy clamps, lowers the output cap in the body to what fits.
 *
 * <p>The worst case is the prompt's count ({@link ProxyCall.Payload#promptTokens()}) plus the output cap: the request's own, else the most
 * its model can write ({@link PriceCard#maxOutputTokens()}), else {@code default-output-reservation}
 * tokens for a request that names a model (one that names none, such as a model listing, writes no
 * output).
 */
@Component
class QuotaReservations {

    private final Quotas quotas;
    private final PriceBook prices;
    private final long defaultOutput;

    QuotaReservations(
            Quotas quotas,
            PriceBook prices,
            @Value("${symbolon.edge.default-output-reservation:4096}") long defaultOutput) {
        this.quotas = quotas;
        this.prices = prices;
        this.defaultOutput = defaultOutput;
    }

    Mono<ProxyCall> reserve(ProxyCall call) {
        if (!call.policy().hasQuotas()) {
            return Mono.just(call);
        }
        ProxyCall.Payload payload = call.payload();
        PriceCard price = prices.priceFor(
                        call.route().provider().name(),
                        payload.model(),
                        call.request().receivedAt())
                .orElse(null);
        long output = payload.outputCap() != null
                ? payload.outputCap()
                : payload.model() == null
                        ? 0
                        : price != null && price.maxOutputTokens() != null ? price.maxOutputTokens() : defaultOutput;
        return quotas.reserve(call.identity(), call.policy(), new Quotas.Demand(payload.promptTokens(), output, price))
                .map(admission -> admitted(call, payload, admission));
    }

    private ProxyCall admitted(ProxyCall call, ProxyCall.Payload payload, Quotas.Admission admission) {
        Quotas.Refusal refusal = admission.refusal();
        if (refusal != null) {
            throw refusal.unavailable()
                    ? GatewayException.quotaUnavailable(call, refusal.limit(), refusal.retryAfterSeconds())
                    : GatewayException.quotaExhausted(call, refusal.limit(), refusal.retryAfterSeconds());
        }
        ProxyCall reserved = call.withReservation(admission.reservation());
        if (admission.outputCap() == null) {
            return reserved;
        }
        byte[] clamped = Payloads.withOutputCap(reserved, admission.outputCap());
        if (clamped == null) {
            // not a JSON object: the cap cannot be set, so the request cannot be held to it
            quotas.release(admission.reservation());
            throw GatewayException.quotaExhausted(call, "output cap (not settable)", 60);
        }
        return reserved.withPayload(payload.withBytes(clamped, admission.outputCap()));
    }
}
