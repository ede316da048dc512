package dev.symbolon.edge.pipeline;

import dev.symbolon.contracts.TenantConfigSnapshot.Target;
import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.call.KeyRequest;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.keys.ProviderKeys;
import dev.symbolon.edge.policy.EffectivePolicy;
import dev.symbolon.edge.provider.ProviderRoutes;
import dev.symbolon.edge.provider.ProviderRoutes.Route;
import dev.symbolon.edge.provider.SharedKeyEndpoints;
import dev.symbolon.edge.routing.Attempts;
import dev.symbolon.edge.routing.KeyHealth;
import dev.symbolon.edge.routing.KeyPool;
import dev.symbolon.edge.routing.ProviderKey;
import java.util.List;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A request's fallback targets ({@code fallbacks} of its policy, by the model it asked for), once its
 * own provider's keys are spent: the first target, in order, that can take it becomes its next attempt.
 * A target is skipped, never an error, when the edge does not know its provider or the provider speaks
 * another API family, when the policy does not allow its provider or model, when the body cannot be
 * sent as another model (not a JSON object naming one), when the key kind the request may use there
 * does not reach the endpoint, or when it has no key to use (none configured, or every one cooling).
 *
 * <p>The key at a target is the kind the request may use anyway: the tenant's managed key the target
 * names; else the operator's pool there for a request that named no key of its own; else (a request
 * that named a split or managed key, or a {@code byokOnly} policy) the tenant's own managed pool there,
 * never the operator's.
 */
@Component
class Fallbacks {

    private final ProviderRoutes routes;
    private final ProviderKeys keys;
    private final SharedKeyEndpoints sharedKeys;
    private final KeyHealth health;

    Fallbacks(ProviderRoutes routes, ProviderKeys keys, SharedKeyEndpoints sharedKeys, KeyHealth health) {
        this.routes = routes;
        this.keys = keys;
        this.sharedKeys = sharedKeys;
        this.health = health;
    }

    /** The request's next attempt at its next usable fallback target; empty when none is left. */
    Mono<ProxyCall> next(ProxyCall call) {
        Attempts attempts = call.attempts();
        List<Target> left = attempts.targetsLeft();
        if (left.isEmpty()) {
            return Mono.empty();
        }
        int first = attempts.nextTarget();
        return Flux.range(0, left.size())
                .concatMap(i -> at(call, first + i, left.get(i)))
                .next();
    }

    private Mono<ProxyCall> at(ProxyCall call, int index, Target target) {
        Route route = routes.sameEndpointAt(target.provider(), call.route()).orElse(null);
        String model = target.model() != null ? target.model() : call.attempts().model();
        if (route == null
                || !call.policy().allowsProvider(route.provider().name())
                || !call.policy().allowsModel(model)) {
            return Mono.empty();
        }
        ProxyCall.Payload body = bodyFor(call, model);
        KeyRequest kind = target.keyId() != null
                ? KeyRequest.MANAGED
                : call.keyRequest() == KeyRequest.SERVER ? KeyRequest.SERVER : KeyRequest.OWN_POOL;
        if (body == null
                || !reaches(
                        sharedKeys, call.policy(), kind, route, call.request().method())) {
            return Mono.empty();
        }
        String provider = route.provider().name();
        Mono<KeyPool> pool = kind == KeyRequest.MANAGED
                ? keys.managed(provider, call.identity().tenantId(), target.keyId())
                : keys.forRequest(provider, call.identity(), kind, call.request());
        return pool.flatMap(p -> {
                    ProviderKey key = p.next(health, call.attempts().tried());
                    return key == null ? Mono.<ProxyCall>empty() : Mono.just(call.atTarget(index, route, body, p, key));
                })
                .onErrorResume(GatewayException.class, e -> Mono.empty());
    }

    /** The request's body for another model: itself when the model is its own; null when it cannot be. */
    private static ProxyCall.Payload bodyFor(ProxyCall call, String model) {
        if (model == null || model.equals(call.payload().model())) {
            return call.payload();
        }
        byte[] bytes = Payloads.withModel(call, model);
        return bytes == null ? null : call.payload().forModel(model, bytes);
    }

    /**
     * Whether the kind of key a request uses reaches its endpoint: a split key anything its policy
     * allows; a managed key (named, or the tenant's own pool) also the endpoints its policy names; the
     * operator's keys only what {@link SharedKeyEndpoints} lets shared keys reach.
     */
    static boolean reaches(
            SharedKeyEndpoints sharedKeys, EffectivePolicy policy, KeyRequest kind, Route route, HttpMethod method) {
        boolean managed = kind == KeyRequest.MANAGED || kind == KeyRequest.OWN_POOL;
        return kind == KeyRequest.SPLIT
                || (managed && policy.namesEndpoints())
                || sharedKeys.allows(route.provider().name(), method, route.endpoint(), managed);
    }
}
