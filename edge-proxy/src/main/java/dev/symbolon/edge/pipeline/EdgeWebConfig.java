package dev.symbolon.edge.pipeline;

import dev.symbolon.edge.provider.ProviderRoutes;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
class EdgeWebConfig {

    /**
     * Provider paths first (the hot path: one prefix check), then the edge's own routes; every other
     * path not claimed by actuator goes through the pipeline too, which answers unknown ones 404.
     */
    @Bean
    RouterFunction<ServerResponse> proxyRoutes(
            ProxyPipeline pipeline, SeedRoutes seed, KeyRoutes keys, StatsRoute stats) {
        return RouterFunctions.route(new ProviderPaths(), pipeline::handle)
                .andRoute(RequestPredicates.POST("/auth/token"), seed::token)
                .andRoute(RequestPredicates.GET("/analytics/my-stats"), stats::myStats)
                .andRoute(RequestPredicates.POST("/byok/keys"), keys::create)
                .andRoute(RequestPredicates.GET("/byok/keys"), keys::list)
                .andRoute(RequestPredicates.GET("/byok/keys/{keyId}"), keys::get)
                .andRoute(RequestPredicates.POST("/byok/keys/{keyId}/rotate"), keys::rotate)
                .andRoute(RequestPredicates.DELETE("/byok/keys/{keyId}"), keys::revoke)
                .andRoute(RequestPredicates.POST("/api/split-key/split"), keys::split)
                .andRoute(RequestPredicates.GET("/api/split-key"), keys::list)
                .andRoute(RequestPredicates.GET("/api/split-key/{keyId}"), keys::get)
                .andRoute(RequestPredicates.DELETE("/api/split-key/{keyId}"), keys::revoke)
                .andRoute(RequestPredicates.POST("/auth/revoke"), seed::revoke)
                .andRoute(RequestPredicates.POST("/api/{provider}/proxy"), seed::proxy)
                .andRoute(RequestPredicates.GET("/api/{provider}/endpoints"), seed::endpoints)
                .andRoute(RequestPredicates.all(), pipeline::handle);
    }

    /** The provider routes as one predicate: one prefix check, and it tells visitors its patterns. */
    static final class ProviderPaths implements RequestPredicate {
        @Override
        public boolean test(ServerRequest request) {
            return ProviderRoutes.claims(request.requestPath().value());
        }

        @Override
        public void accept(RequestPredicates.Visitor visitor) {
            visitor.startOr();
            java.util.List<String> patterns = ProviderRoutes.patterns();
            for (int i = 0; i < patterns.size(); i++) {
                if (i > 0) {
                    visitor.or();
                }
                visitor.path(patterns.get(i));
            }
            visitor.endOr();
        }
    }
}
