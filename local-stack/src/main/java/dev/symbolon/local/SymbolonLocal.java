package dev.symbolon.local;

import dev.symbolon.local.LocalStack.Service;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ./symbolon-local [--data-dir=DIR] [--reset] [--without=SERVICE,...] [--edges=N]}: starts the whole system in this JVM, prints
 * where everything is and a curl that works offline, and stops everything on Ctrl-C.
 */
public final class SymbolonLocal {

    public static void main(String[] args) {
        Path dataDirectory = Path.of(".symbolon");
        boolean reset = false;
        Set<Service> without = EnumSet.noneOf(Service.class);
        int edges = 1;
        for (String arg : args) {
            if (arg.equals("--reset")) {
                reset = true;
            } else if (arg.startsWith("--without=")) {
                Optional<Set<Service>> parsed = services(arg.substring("--without=".length()));
                if (parsed.isEmpty()) {
                    System.err.println("--without takes a comma-separated list of: " + optionalNames());
                    System.exit(2);
                }
                without.addAll(parsed.get());
            } else if (arg.startsWith("--edges=")) {
                edges = edges(arg.substring("--edges=".length()));
                if (edges < 1) {
                    System.err.println("--edges takes a number from 1 to " + LocalStack.Options.MAX_EDGES);
                    System.exit(2);
                }
            } else if (arg.startsWith("--data-dir=")) {
                dataDirectory = Path.of(arg.substring("--data-dir=".length()));
            } else if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(
                        "usage: symbolon-local [--data-dir=DIR] [--reset] [--without=SERVICE,...] [--edges=N]");
                System.out.println(
                        "  --data-dir=DIR  where PostgreSQL, Kafka and the key store keep data (./.symbolon)");
                System.out.println("  --reset         wipe the data directory first");
                System.out.println("  --without=...   leave services out (" + optionalNames() + ") to run them");
                System.out.println("                  yourself, e.g. from an IDE, on their usual ports");
                System.out.println("  --edges=N       run N edges (up to " + LocalStack.Options.MAX_EDGES
                        + "), the second on 8085 and up: quotas hold across them");
                return;
            } else {
                System.err.println("unknown argument: " + arg + " (try --help)");
                System.exit(2);
            }
        }
        long started = System.nanoTime();
        LocalStack stack = LocalStack.start(
                LocalStack.Options.defaults(dataDirectory, reset, without).withEdges(edges));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("Stopping Symbolon...");
                            long stopping = System.nanoTime();
                            stack.close();
                            System.out.printf(
                                    Locale.ROOT, "Stopped in %.1f s.%n", (System.nanoTime() - stopping) / 1e9);
                        },
                        "symbolon-shutdown"));
        System.out.println(banner(stack, (System.nanoTime() - started) / 1e9));
    }

    /** A count of edges, or -1 when it is not one. */
    static int edges(String value) {
        try {
            int count = Integer.parseInt(value);
            return count >= 1 && count <= LocalStack.Options.MAX_EDGES ? count : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Module names ({@code edge-proxy}) or short ones ({@code edge}); empty if any is unknown or required. */
    static Optional<Set<Service>> services(String list) {
        Set<Service> services = EnumSet.noneOf(Service.class);
        for (String name : list.split(",", -1)) {
            Optional<Service> match = Service.named(name.trim());
            if (match.isEmpty() || !LocalStack.Options.OPTIONAL.contains(match.get())) {
                return Optional.empty();
            }
            services.add(match.get());
        }
        return Optional.of(services);
    }

    private static String optionalNames() {
        return LocalStack.Options.OPTIONAL.stream().map(Service::moduleName).collect(Collectors.joining(", "));
    }

    private static String where(LocalStack stack, Service service) {
        if (!stack.started(service)) {
            return stack.url(service) + "   (not started: --without)";
        }
        if (service != Service.EDGE || stack.edges() == 1) {
            return stack.url(service);
        }
        StringBuilder edges = new StringBuilder(stack.url(service));
        for (int index = 1; index < stack.edges(); index++) {
            edges.append(", ").append(stack.edgeUrl(index));
        }
        return edges.append("   (").append(stack.edges()).append(" edges)").toString();
    }

    /** How to run each left-out service beside the stack (empty when all run here). */
    static String leftOut(LocalStack stack) {
        StringBuilder text = new StringBuilder();
        for (Service service : Service.values()) {
            if (!stack.started(service)) {
                text.append(String.format(
                        Locale.ROOT,
                        " Run %s yourself with its settings from this stack:%n"
                                + "   java -jar %s/target/%s-*-exec.jar \\%n"
                                + "     --spring.config.additional-location=file:%s%n",
                        service.moduleName(),
                        service.moduleName(),
                        service.moduleName(),
                        stack.settingsFile(service)));
            }
        }
        return text.isEmpty() ? "" : text.append('\n').toString();
    }

    static String banner(LocalStack stack, double seconds) {
        String edge = stack.url(Service.EDGE);
        String analytics = stack.url(Service.ANALYTICS);
        String credential = stack.demoCredential().reveal();
        String admin = stack.adminToken().reveal();
        return String.format(
                Locale.ROOT,
                """

                ==================================================================================
                 Symbolon is running in local mode (started in %.1f s)
                ==================================================================================
                 edge-proxy               %s
                 admin-api                %s
                 key-vault-service        %s
                 usage-analytics-service  %s
                 webhook-dispatcher       %s
                 demo provider            %s   (FAKE: canned answers, no real model)
                 Kafka                    %s
                 PostgreSQL               %s
                 data directory           %s

                 Admin token (platform-admin): %s
                 Demo app credential:          %s
                 (local mode only; kept in the data directory's bootstrap.properties)

                 Try a request through the edge (the demo provider needs no provider key):

                   curl -s %s/compat/demo/v1/chat/completions \\
                     -H 'Authorization: Bearer %s' \\
                     -H 'Content-Type: application/json' \\
                     -d '{"model":"demo-1","messages":[{"role":"user","content":"Hello, Symbolon"}]}'

                 Then see it metered:

                   curl -s '%s/analytics/usage?tenantId=%s' -H 'Authorization: Bearer %s'

                 and counted (every service has /actuator/prometheus, behind the scrape token):

                   curl -s %s/actuator/prometheus -H 'Authorization: Bearer %s' | grep gen_ai

                %s Real providers: set OPENAI_API_KEY (or ANTHROPIC_, GEMINI_, GROQ_, MISTRAL_, DEEPSEEK_API_KEY)
                 before starting, then use %s/openai/v1 as the SDK's base URL.
                 Ctrl-C stops everything.
                ==================================================================================
                """,
                seconds,
                where(stack, Service.EDGE),
                stack.url(Service.ADMIN),
                stack.url(Service.KEY_VAULT),
                where(stack, Service.ANALYTICS),
                where(stack, Service.DISPATCHER),
                stack.demoProviderUrl(),
                stack.kafkaBootstrapServers(),
                stack.postgresJdbcUrl(),
                stack.dataDirectory(),
                admin,
                credential,
                edge,
                credential,
                analytics,
                stack.demoTenantId(),
                admin,
                edge,
                stack.metricsToken().reveal(),
                leftOut(stack),
                edge);
    }

    private SymbolonLocal() {}
}
