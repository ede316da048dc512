package dev.symbolon.local;

import dev.symbolon.admin.AdminApiApplication;
import dev.symbolon.analytics.UsageAnalyticsApplication;
import dev.symbolon.contracts.Secret;
import dev.symbolon.edge.EdgeProxyApplication;
import dev.symbolon.keyvault.KeyVaultApplication;
import dev.symbolon.webhooks.WebhookDispatcherApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

/**
 * All of Symbolon in one JVM: an embedded PostgreSQL, an embedded Kafka broker, the demo provider and
 * the five services, each in its own Spring context on its own port. Services get exactly the
 * settings a production deployment gives them (the same {@code ${...}} names docker-compose.yml and
 * the helm chart set), so local mode exercises the real configuration path.
 */
public final class LocalStack implements AutoCloseable {

    /** The services, in start order: what others call starts first, the edge last. */
    public enum Service {
        KEY_VAULT("key-vault-service", "key-vault", KeyVaultApplication::builder),
        ADMIN("admin-api", "admin", AdminApiApplication::builder),
        ANALYTICS("usage-analytics-service", "analytics", UsageAnalyticsApplication::builder),
        DISPATCHER("webhook-dispatcher", "dispatcher", WebhookDispatcherApplication::builder),
        EDGE("edge-proxy", "edge", EdgeProxyApplication::builder);

        private final String moduleName;
        private final String shortName;
        private final Supplier<SpringApplicationBuilder> builder;

        Service(String moduleName, String shortName, Supplier<SpringApplicationBuilder> builder) {
            this.moduleName = moduleName;
            this.shortName = shortName;
            this.builder = builder;
        }

        public String moduleName() {
            return moduleName;
        }

        /** The service by its module name ({@code edge-proxy}) or short name ({@code edge}). */
        public static Optional<Service> named(String name) {
            return Arrays.stream(values())
                    .filter(service -> service.moduleName.equals(name) || service.shortName.equals(name))
                    .findFirst();
        }
    }

    /**
     * How to start the stack.
     *
     * @param ports port of each service; 0 picks a free one
     * @param extra additional settings per service, e.g. a provider base URL in tests
     * @param without services not to start (they keep their port in the others' settings, so one can
     *     run from an IDE or under a profiler against the rest); key-vault and admin always start
     * @param edges how many edges to run (1 to {@value #MAX_EDGES}), each on its own port, as replicas
     *     behind a load balancer would: the first on the edge's port, the others on the next free ones
     *     ({@code 8085} and up in the default layout)
     */
    public record Options(
            Path dataDirectory,
            boolean reset,
            Map<Service, Integer> ports,
            int postgresPort,
            int kafkaPort,
            int kafkaControllerPort,
            int demoProviderPort,
            Map<Service, Map<String, String>> extra,
            Set<Service> without,
            int edges) {

        public static final int MAX_EDGES = 5;

        /** The services that may be left out: nothing else depends on them at start-up. */
        public static final Set<Service> OPTIONAL =
                Collections.unmodifiableSet(EnumSet.of(Service.EDGE, Service.ANALYTICS, Service.DISPATCHER));

        public Options {
            without = without.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(without));
            if (!OPTIONAL.containsAll(without)) {
                throw new IllegalArgumentException("key-vault-service and admin-api always start");
            }
            if (edges < 1 || edges > MAX_EDGES) {
                throw new IllegalArgumentException("edges is between 1 and " + MAX_EDGES);
            }
        }

        /** One edge. */
        public Options(
                Path dataDirectory,
                boolean reset,
                Map<Service, Integer> ports,
                int postgresPort,
                int kafkaPort,
                int kafkaControllerPort,
                int demoProviderPort,
                Map<Service, Map<String, String>> extra,
                Set<Service> without) {
            this(
                    dataDirectory,
                    reset,
                    ports,
                    postgresPort,
                    kafkaPort,
                    kafkaControllerPort,
                    demoProviderPort,
                    extra,
                    without,
                    1);
        }

        /** The same, with {@code count} edges. */
        public Options withEdges(int count) {
            return new Options(
                    dataDirectory,
                    reset,
                    ports,
                    postgresPort,
                    kafkaPort,
                    kafkaControllerPort,
                    demoProviderPort,
                    extra,
                    without,
                    count);
        }

        /** The one-command local mode: fixed, documented ports. */
        public static Options defaults(Path dataDirectory, boolean reset, Set<Service> without) {
            Map<Service, Integer> ports = new EnumMap<>(Service.class);
            ports.put(Service.EDGE, 8080);
            ports.put(Service.ADMIN, 8081);
            ports.put(Service.KEY_VAULT, 8082);
            ports.put(Service.ANALYTICS, 8083);
            ports.put(Service.DISPATCHER, 8084);
            return new Options(dataDirectory, reset, ports, 54329, 9092, 9093, 8090, Map.of(), without);
        }

        public Options without(Set<Service> services) {
            return new Options(
                    dataDirectory,
                    reset,
                    ports,
                    postgresPort,
                    kafkaPort,
                    kafkaControllerPort,
                    demoProviderPort,
                    extra,
                    services,
                    edges);
        }
    }

    private final Options options;
    private final BootstrapSecrets secrets;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final Map<Service, Integer> boundPorts = new EnumMap<>(Service.class);
    private final Map<Service, ConfigurableApplicationContext> contexts = new EnumMap<>(Service.class);
    private String kafkaBootstrap;
    private String postgresUrl;
    private String demoProviderUrl;
    private DemoTenant demoTenant;
    private volatile LocalKafka kafka;
    private volatile LocalPostgres postgres;

    private LocalStack(Options options, BootstrapSecrets secrets) {
        this.options = options;
        this.secrets = secrets;
    }

    /** Starts everything, or nothing: a failure stops what had started and rethrows. */
    public static LocalStack start(Options options) {
        Path data = options.dataDirectory().toAbsolutePath();
        if (options.reset()) {
            try {
                FileSystemUtils.deleteRecursively(data);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot wipe " + data, e);
            }
        }
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + data, e);
        }
        LocalStack stack = new LocalStack(options, BootstrapSecrets.loadOrCreate(data));
        try {
            stack.startAll(data);
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Path data) {
        postgres = LocalPostgres.start(data.resolve("postgres"), options.postgresPort());
        running.push(() -> postgres.close());
        postgresUrl = postgres.jdbcUrl();

        kafka = LocalKafka.start(data.resolve("kafka"), options.kafkaPort(), options.kafkaControllerPort());
        running.push(() -> kafka.close());
        kafkaBootstrap = kafka.bootstrapServers();

        DemoProvider demo = DemoProvider.start(options.demoProviderPort(), secrets.demoProviderKey());
        running.push(demo);
        demoProviderUrl = demo.baseUrl();

        for (Service service : Service.values()) {
            if (service == Service.EDGE) {
                demoTenant = DemoTenant.ensure(data, url(Service.ADMIN), secrets.adminToken());
            }
            if (options.without().contains(service)) {
                writeSettings(service, data);
                continue;
            }
            ConfigurableApplicationContext context =
                    service.builder.get().registerShutdownHook(false).run(arguments(settings(service, data)));
            running.push(context::close);
            contexts.put(service, context);
            boundPorts.put(
                    service,
                    ((WebServerApplicationContext) context).getWebServer().getPort());
        }
        if (started(Service.EDGE)) {
            for (int index = 1; index < options.edges(); index++) {
                Map<String, String> settings = settings(Service.EDGE, data);
                int base = options.ports().getOrDefault(Service.EDGE, 0);
                settings.put("server.port", Integer.toString(base == 0 ? 0 : EXTRA_EDGE_PORT + index - 1));
                // each replica has a disk of its own: its own usage journal
                settings.put(
                        "SYMBOLON_USAGE_JOURNAL_DIR",
                        data.resolve("usage-journal-" + (index + 1)).toString());
                ConfigurableApplicationContext context =
                        Service.EDGE.builder.get().registerShutdownHook(false).run(arguments(settings));
                running.push(context::close);
                extraEdges.add(context);
            }
            for (int index = 0; index < options.edges(); index++) {
                awaitReady(edgeUrl(index), "edge " + (index + 1), Duration.ofSeconds(60));
            }
        }
    }

    /** The first port of the edges beyond the first in the default layout. */
    static final int EXTRA_EDGE_PORT = 8085;

    private final List<ConfigurableApplicationContext> extraEdges = new ArrayList<>();

    /** How many edges run. */
    public int edges() {
        return started(Service.EDGE) ? 1 + extraEdges.size() : 0;
    }

    /** The port of edge {@code index} (0 is the edge of {@link #url(Service)}). */
    public int edgePort(int index) {
        return index == 0
                ? port(Service.EDGE)
                : ((WebServerApplicationContext) extraEdges.get(index - 1))
                        .getWebServer()
                        .getPort();
    }

    public String edgeUrl(int index) {
        return "http://localhost:" + edgePort(index);
    }

    /**
     * Stops edge {@code index} the way a replica is scaled down: it finishes what it serves and gives
     * back the quota allowance it holds.
     */
    void stopEdge(int index) {
        ConfigurableApplicationContext context = index == 0 ? contexts.get(Service.EDGE) : extraEdges.get(index - 1);
        context.close();
    }

    /** Whether this stack runs the service (see {@link Options#without()}). */
    public boolean started(Service service) {
        return boundPorts.containsKey(service);
    }

    /** Waits for a service's readiness probe (the edge is ready once it has read tenant-config.v1). */
    private void awaitReady(String url, String name, Duration timeout) {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(5))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
                Thread.sleep(100);
            } catch (IOException e) {
                // not answering yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + name, e);
            }
        }
        throw new IllegalStateException(name + " did not become ready within " + timeout);
    }

    /**
     * Where a left-out service's settings are: a properties file for
     * {@code --spring.config.additional-location=file:<path>} (owner-only, it holds local secrets).
     */
    public Path settingsFile(Service service) {
        return dataDirectory().resolve(service.moduleName() + ".properties");
    }

    private void writeSettings(Service service, Path data) {
        Properties properties = new Properties();
        properties.putAll(settings(service, data));
        Path file = settingsFile(service);
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (var out = Files.newBufferedWriter(file)) {
                properties.store(out, service.moduleName() + " settings for running it beside this local stack");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String[] arguments(Map<String, String> settings) {
        List<String> args = new ArrayList<>();
        settings.forEach((name, value) -> args.add("--" + name + "=" + value));
        return args.toArray(String[]::new);
    }

    /** The deployment contract of each service: the same names docker-compose.yml and helm set. */
    private Map<String, String> settings(Service service, Path data) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
        // One logging system serves five contexts; it would label every line with the first name.
        settings.put("logging.include-application-name", "false");
        settings.put("server.port", Integer.toString(options.ports().getOrDefault(service, 0)));
        settings.put("SYMBOLON_METRICS_TOKEN", secrets.metricsToken().reveal());
        switch (service) {
            case KEY_VAULT -> {
                database(settings);
                settings.put("SYMBOLON_SERVICE_TOKEN", secrets.serviceToken().reveal());
                settings.put("SYMBOLON_KEYSTORE_DIR", data.resolve("keystore").toString());
                settings.put(
                        "SYMBOLON_KEYSTORE_MASTER_KEY_FILE",
                        data.resolve("keystore-master.key").toString());
                settings.put(
                        "symbolon.key-vault.server-keys[compat:demo].api-key",
                        secrets.demoProviderKey().reveal());
                settings.put("symbolon.key-vault.server-keys[compat:demo].label", "demo provider (local mode)");
            }
            case ANALYTICS -> {
                database(settings);
                settings.put("SYMBOLON_ADMIN_TOKEN", secrets.adminToken().reveal());
                settings.put("SYMBOLON_SERVICE_TOKEN", secrets.serviceToken().reveal());
                settings.put("ADMIN_API_URL", url(Service.ADMIN));
            }
            case ADMIN -> {
                database(settings);
                settings.put("SYMBOLON_ADMIN_TOKEN", secrets.adminToken().reveal());
                settings.put(
                        "SYMBOLON_CREDENTIAL_PEPPER", secrets.credentialPepper().reveal());
                settings.put("SYMBOLON_ADMIN_JWT_KEY", secrets.adminJwtKey().reveal());
                settings.put("KEY_VAULT_URL", url(Service.KEY_VAULT));
                settings.put("SYMBOLON_SERVICE_TOKEN", secrets.serviceToken().reveal());
                settings.put("SYMBOLON_WEBHOOKS_ALLOW_LOOPBACK", "true");
                settings.put("SYMBOLON_WEBHOOKS_REQUIRE_HTTPS", "false");
            }
            case DISPATCHER -> {
                database(settings);
                settings.put("SYMBOLON_WEBHOOKS_ALLOW_LOOPBACK", "true");
                settings.put("SYMBOLON_WEBHOOKS_REQUIRE_HTTPS", "false");
                settings.put("KEY_VAULT_URL", url(Service.KEY_VAULT));
                settings.put("SYMBOLON_SERVICE_TOKEN", secrets.serviceToken().reveal());
                settings.put("SYMBOLON_ADMIN_TOKEN", secrets.adminToken().reveal());
                settings.put("ADMIN_API_URL", url(Service.ADMIN));
            }
            case EDGE -> {
                settings.put("KEY_VAULT_URL", url(Service.KEY_VAULT));
                settings.put("ADMIN_API_URL", url(Service.ADMIN));
                settings.put("ANALYTICS_URL", url(Service.ANALYTICS));
                settings.put("SYMBOLON_SERVICE_TOKEN", secrets.serviceToken().reveal());
                settings.put(
                        "SYMBOLON_CREDENTIAL_PEPPER", secrets.credentialPepper().reveal());
                settings.put("symbolon.edge.compat.demo.base-url", demoProviderUrl);
                settings.put(
                        "SYMBOLON_USAGE_JOURNAL_DIR",
                        data.resolve("usage-journal").toString());
                settings.put("SYMBOLON_APP_TOKEN_KEY", secrets.appTokenKey().reveal());
            }
        }
        settings.putAll(options.extra().getOrDefault(service, Map.of()));
        return settings;
    }

    private void database(Map<String, String> settings) {
        settings.put("DATABASE_URL", postgresUrl);
        settings.put("DATABASE_USERNAME", "postgres");
        settings.put("DATABASE_PASSWORD", "");
    }

    /** Where the service listens, or, for one left out, where the others expect it. */
    public String url(Service service) {
        return "http://localhost:" + port(service);
    }

    public int port(Service service) {
        Integer bound = boundPorts.get(service);
        return bound != null ? bound : options.ports().getOrDefault(service, 0);
    }

    public String kafkaBootstrapServers() {
        return kafkaBootstrap;
    }

    public String postgresJdbcUrl() {
        return postgresUrl;
    }

    public String demoProviderUrl() {
        return demoProviderUrl;
    }

    /** Stops the broker, keeping its log (for outage tests). */
    void stopKafka() {
        kafka.close();
    }

    /** Starts the broker again on the same log and port. */
    void startKafka() {
        kafka = LocalKafka.start(
                options.dataDirectory().toAbsolutePath().resolve("kafka"),
                options.kafkaPort(),
                options.kafkaControllerPort());
    }

    /** Stops PostgreSQL, keeping its data directory (for outage tests). */
    void stopPostgres() {
        postgres.close();
    }

    /** Starts PostgreSQL again on the same data directory and port. */
    void startPostgres() {
        int port = postgres.port();
        postgres = LocalPostgres.start(options.dataDirectory().toAbsolutePath().resolve("postgres"), port);
    }

    /** A running service's Spring context (for tests that walk its routes). */
    ConfigurableApplicationContext context(Service service) {
        return contexts.get(service);
    }

    /** The demo provider's key: the server key of local mode (a canary for tests). */
    Secret demoProviderKey() {
        return secrets.demoProviderKey();
    }

    /** The service-to-service token (for tests that call internal endpoints). */
    Secret serviceToken() {
        return secrets.serviceToken();
    }

    public Secret adminToken() {
        return secrets.adminToken();
    }

    /** What a scraper presents on each service's {@code /actuator/prometheus}. */
    public Secret metricsToken() {
        return secrets.metricsToken();
    }

    /** The demo tenant's id, created through admin-api on first start. */
    public String demoTenantId() {
        return demoTenant.tenantId();
    }

    public String demoAppId() {
        return demoTenant.appId();
    }

    public Secret demoCredential() {
        return demoTenant.credential();
    }

    public Path dataDirectory() {
        return options.dataDirectory().toAbsolutePath();
    }

    /** How long one part may take to stop before the stack reports it and goes on to the next. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(90);

    /**
     * Stops one part on a thread of its own, giving up after {@code limit}: a part that hangs on its
     * way down (a broker waiting for itself, say) fails the stop with the stack where it hangs rather
     * than holding the process forever.
     */
    private static void stopWithin(AutoCloseable part, Duration limit) throws Exception {
        FutureTask<Void> stop = new FutureTask<>(() -> {
            part.close();
            return null;
        });
        Thread stopper = new Thread(stop, "local-stack-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stop.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            IllegalStateException hung = new IllegalStateException("a part of the local stack did not stop within "
                    + limit.toSeconds() + " s; it was left running here:");
            hung.setStackTrace(stopper.getStackTrace());
            throw hung;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception failure ? failure : new IllegalStateException(e.getCause());
        }
    }

    /** Stops the services (edge first), then the demo provider, Kafka and PostgreSQL. */
    @Override
    public void close() {
        RuntimeException failure = null;
        while (!running.isEmpty()) {
            try {
                stopWithin(running.pop(), STOP_LIMIT);
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("local stack did not stop cleanly", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
