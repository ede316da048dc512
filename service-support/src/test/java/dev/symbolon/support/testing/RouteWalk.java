package dev.symbolon.support.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

/**
 * Every route a running service exposes, read from its handler mappings (annotated controllers,
 * actuator, router functions), so a route added later is walked without anyone listing it; and the
 * hostile spellings of each route's path that a router might still match.
 */
public final class RouteWalk {

    /** One route: a method and a concrete path made from its pattern ({@code {id}} → {@code x1}). */
    public record Route(HttpMethod method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\{\\*?[^}/]*}");

    public static List<Route> routes(ApplicationContext context) {
        Set<Route> routes = new LinkedHashSet<>();
        context.getBeansOfType(RequestMappingInfoHandlerMapping.class)
                .values()
                .forEach(mapping -> mapping.getHandlerMethods().keySet().forEach(info -> {
                    Set<HttpMethod> methods = new LinkedHashSet<>();
                    info.getMethodsCondition().getMethods().forEach(m -> methods.add(m.asHttpMethod()));
                    if (methods.isEmpty()) {
                        methods.add(HttpMethod.GET);
                    }
                    for (PathPattern pattern : info.getPatternsCondition().getPatterns()) {
                        methods.forEach(method -> routes.add(new Route(method, concrete(pattern.getPatternString()))));
                    }
                }));
        context.getBeansOfType(RouterFunctionMapping.class).values().forEach(mapping -> {
            RouterFunction<?> function = mapping.getRouterFunction();
            if (function != null) {
                function.accept(new RouterVisitor(routes));
            }
        });
        return List.copyOf(routes);
    }

    /** A pattern with every variable filled in and any trailing {@code /**} made one segment. */
    static String concrete(String pattern) {
        Matcher matcher = VARIABLE.matcher(pattern.replace("/**", "/x1"));
        return matcher.replaceAll("x1");
    }

    /**
     * Spellings of {@code path} that name the same route to a lenient router: escaped letters (both
     * hex cases), double escapes, {@code ;} parameters, dot segments plain and escaped, overlong UTF-8,
     * escaped and doubled slashes, backslashes. Each must be refused with 400.
     */
    public static List<String> nonCanonical(String path) {
        List<String> variants = new ArrayList<>();
        String[] segments = path.substring(1).split("/", -1);
        for (int k = 0; k < segments.length; k++) {
            String segment = segments[k];
            int letter = firstLetter(segment);
            if (letter >= 0) {
                char c = segment.charAt(letter);
                String lower = String.format("%%%02x", (int) c);
                variants.add(join(segments, k, s -> s.substring(0, letter) + lower + s.substring(letter + 1)));
                variants.add(join(
                        segments,
                        k,
                        s -> s.substring(0, letter) + lower.toUpperCase(Locale.ROOT) + s.substring(letter + 1)));
                variants.add(join(
                        segments,
                        k,
                        s -> s.substring(0, letter) + "%25" + lower.substring(1) + s.substring(letter + 1)));
            }
            variants.add(join(segments, k, s -> s + ";x"));
            variants.add(join(segments, k, s -> s + ";"));
            variants.add(join(segments, k, s -> "./" + s));
            variants.add(join(segments, k, s -> "x/../" + s));
            variants.add(join(segments, k, s -> "%2e/" + s));
            variants.add(join(segments, k, s -> "x/%2E%2E/" + s));
            variants.add(join(segments, k, s -> "x/..%3B/" + s));
            variants.add(join(segments, k, s -> "x/%252e%252e/" + s));
            variants.add(join(segments, k, s -> "x/%c0%ae%c0%ae/" + s));
            variants.add(join(segments, k, s -> "/" + s));
        }
        variants.add(path.replaceFirst("/", "//"));
        variants.add(path + "\\x");
        variants.add(path.replace('/', '\\').replaceFirst("\\\\", "/") + "\\");
        int lastSlash = path.lastIndexOf('/');
        if (lastSlash > 0) {
            variants.add(path.substring(0, lastSlash) + "%2F" + path.substring(lastSlash + 1));
            variants.add(path.substring(0, lastSlash) + "%2f" + path.substring(lastSlash + 1));
        }
        variants.add(path + "%00");
        variants.add(path + "/.");
        variants.add(path + "/..");
        return variants;
    }

    /**
     * A hostile spelling's answer: 400, with the {@code invalid_path} error body, or with no body at all
     * when the HTTP codec itself refuses the request line (a backslash or a control character there).
     */
    public static void assertRefusedAsNonCanonical(String variant, RawHttp.Response response) {
        org.assertj.core.api.Assertions.assertThat(response.status())
                .as(variant)
                .isEqualTo(400);
        if (!response.body().isEmpty()) {
            org.assertj.core.api.Assertions.assertThat(response.body())
                    .as(variant)
                    .contains("\"type\":\"invalid_path\"");
        }
    }

    /** Canonical spellings that a case-insensitive or slash-lenient router would still match. */
    public static List<String> lookAlikes(String path) {
        List<String> variants = new ArrayList<>();
        variants.add(path.toUpperCase(Locale.ROOT));
        variants.add("/" + Character.toUpperCase(path.charAt(1)) + path.substring(2));
        variants.add(path + "/");
        return variants;
    }

    private static int firstLetter(String segment) {
        for (int i = 0; i < segment.length(); i++) {
            if (Character.isLetter(segment.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String join(String[] segments, int changed, Function<String, String> change) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            path.append('/').append(i == changed ? change.apply(segments[i]) : segments[i]);
        }
        return path.toString();
    }

    private static final class RouterVisitor implements RouterFunctions.Visitor {
        private final Set<Route> routes;

        RouterVisitor(Set<Route> routes) {
            this.routes = routes;
        }

        @Override
        public void route(RequestPredicate predicate, HandlerFunction<?> handler) {
            PredicateVisitor visitor = new PredicateVisitor();
            predicate.accept(visitor);
            Set<HttpMethod> methods = visitor.methods.isEmpty() ? Set.of(HttpMethod.GET) : visitor.methods;
            for (String pattern : visitor.paths) {
                methods.forEach(method -> routes.add(new Route(method, concrete(pattern))));
            }
        }

        @Override
        public void startNested(RequestPredicate predicate) {}

        @Override
        public void endNested(RequestPredicate predicate) {}

        @Override
        public void resources(
                Function<ServerRequest, reactor.core.publisher.Mono<org.springframework.core.io.Resource>> lookup) {}

        @Override
        public void attributes(java.util.Map<String, Object> attributes) {}

        @Override
        public void unknown(RouterFunction<?> routerFunction) {}
    }

    private static final class PredicateVisitor implements RequestPredicates.Visitor {
        final Set<HttpMethod> methods = new LinkedHashSet<>();
        final List<String> paths = new ArrayList<>();

        @Override
        public void method(Set<HttpMethod> methods) {
            this.methods.addAll(methods);
        }

        @Override
        public void path(String pattern) {
            paths.add(pattern);
        }

        @Override
        public void pathExtension(String extension) {}

        @Override
        public void header(String name, String value) {}

        @Override
        public void queryParam(String name, String value) {}

        @Override
        public void version(String version) {}

        @Override
        public void startAnd() {}

        @Override
        public void and() {}

        @Override
        public void endAnd() {}

        @Override
        public void startOr() {}

        @Override
        public void or() {}

        @Override
        public void endOr() {}

        @Override
        public void startNegate() {}

        @Override
        public void endNegate() {}

        @Override
        public void unknown(RequestPredicate predicate) {}
    }

    private RouteWalk() {}
}
