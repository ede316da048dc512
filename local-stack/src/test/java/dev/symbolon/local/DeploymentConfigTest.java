package dev.symbolon.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.local.LocalStack.Service;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml and the helm chart must give every service what its own configuration file
 * requires: each {@code ${NAME}} without a default, its port, a readiness check. Read from the
 * services' real configuration files, so a new required setting fails here until both deployment
 * shapes provide it.
 */
class DeploymentConfigTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern REQUIRED = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
    private static final Pattern PORT = Pattern.compile("port: \\$\\{PORT:(\\d+)}");

    private final Map<String, Object> compose = yaml(ROOT.resolve("docker-compose.yml"));
    private final Map<String, Object> helm = yaml(ROOT.resolve("helm/symbolon/values.yaml"));

    @ParameterizedTest
    @EnumSource(Service.class)
    void compose_runs_each_service_with_every_required_setting_its_port_and_a_readiness_check(Service service)
            throws IOException {
        ServiceConfig config = ServiceConfig.of(service);
        Map<String, Object> definition = map(map(compose, "services"), service.moduleName());

        Map<String, Object> environment = map(definition, "environment");
        assertThat(environment.keySet()).containsAll(config.required());
        assertThat(environment.get("PORT")).hasToString(Integer.toString(config.port()));
        // what the helm chart lets anyone reach is published; the rest stays inside or on loopback
        boolean isPublic =
                "public".equals(map(map(helm, "services"), service.moduleName()).get("ingressFrom"));
        List<String> published = definition.get("ports") == null
                ? List.of()
                : ((List<?>) definition.get("ports"))
                        .stream().map(Object::toString).toList();
        if (isPublic) {
            assertThat(published).contains(config.port() + ":" + config.port());
        } else if (service == Service.KEY_VAULT) {
            assertThat(published)
                    .as("provider keys are never published on the host")
                    .isEmpty();
            assertThat((List<?>) definition.get("expose"))
                    .map(Object::toString)
                    .contains(Integer.toString(config.port()));
        } else {
            assertThat(published).containsExactly("127.0.0.1:" + config.port() + ":" + config.port());
        }
        assertThat(map(definition, "build")).containsEntry("args", Map.of("SERVICE", service.moduleName()));
        assertThat(map(definition, "healthcheck").get("test").toString()).contains("/actuator/health/readiness");
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void helm_gives_each_service_every_required_setting_and_its_port(Service service) throws IOException {
        ServiceConfig config = ServiceConfig.of(service);
        Map<String, Object> values = map(map(helm, "services"), service.moduleName());

        Set<String> provided = new LinkedHashSet<>(List.of("PORT", "KAFKA_BOOTSTRAP_SERVERS"));
        provided.addAll(map(values, "env").keySet());
        provided.addAll(map(values, "secretEnv").keySet());
        if (Boolean.TRUE.equals(values.get("usesDatabase"))) {
            provided.addAll(List.of("DATABASE_URL", "DATABASE_USERNAME"));
            provided.addAll(map(map(helm, "shared"), "secretEnv").keySet());
        }
        assertThat(provided).containsAll(config.required());
        assertThat(values.get("usesDatabase")).isEqualTo(config.usesDatabase());
        assertThat(values.get("port")).isEqualTo(config.port());
    }

    @Test
    void the_helm_template_wires_port_kafka_and_probes_for_every_service() throws IOException {
        String template = Files.readString(ROOT.resolve("helm/symbolon/templates/services.yaml"));

        assertThat(template)
                .contains("range $name, $svc := .Values.services")
                .contains("name: PORT")
                .contains("name: KAFKA_BOOTSTRAP_SERVERS")
                .contains("path: /actuator/health/readiness")
                .contains("path: /actuator/health/liveness");
    }

    /**
     * Every call one service is configured to make ({@code *_URL: http://symbolon-<service>:port}) is
     * admitted by the callee's network policy, and key-vault-service admits exactly its callers.
     */
    @Test
    void helm_network_policies_admit_exactly_the_calls_the_services_are_configured_to_make() throws IOException {
        Map<String, Object> services = map(helm, "services");
        assertThat(map(helm, "networkPolicy")).containsEntry("enabled", true);
        Map<String, Set<String>> callers = new java.util.TreeMap<>();
        Pattern target = Pattern.compile("http://symbolon-([a-z-]+):(\\d+)");
        for (String caller : services.keySet()) {
            for (Object value : map(map(services, caller), "env").values()) {
                Matcher m = target.matcher(value.toString());
                if (m.find()) {
                    assertThat(services).as(value.toString()).containsKey(m.group(1));
                    assertThat(map(services, m.group(1)).get("port")).hasToString(m.group(2));
                    callers.computeIfAbsent(m.group(1), k -> new java.util.TreeSet<>())
                            .add(caller);
                }
            }
        }
        assertThat(callers).containsKeys("key-vault-service", "admin-api", "usage-analytics-service");
        for (var entry : callers.entrySet()) {
            Object from = map(services, entry.getKey()).get("ingressFrom");
            if (!"public".equals(from)) {
                assertThat((List<?>) from)
                        .as(entry.getKey())
                        .map(Object::toString)
                        .containsAll(entry.getValue());
            }
        }
        assertThat((List<?>) map(services, "key-vault-service").get("ingressFrom"))
                .map(Object::toString)
                .containsExactlyInAnyOrderElementsOf(callers.get("key-vault-service"));
        assertThat(services.keySet().stream()
                        .filter(name -> "public".equals(map(services, name).get("ingressFrom"))))
                .containsExactlyInAnyOrder("edge-proxy", "admin-api");

        String template = Files.readString(ROOT.resolve("helm/symbolon/templates/services.yaml"));
        assertThat(template)
                .contains("kind: NetworkPolicy")
                .contains("policyTypes: [Ingress]")
                .contains("required (printf \"services.%s.ingressFrom")
                .contains("range $caller := $from")
                .contains("app.kubernetes.io/name: {{ $caller }}");
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    @SuppressWarnings("unchecked")
    void compose_gives_every_service_the_scrape_token_prometheus_scrapes_with(Service service) throws IOException {
        Map<String, Object> services = map(compose, "services");
        assertThat(map(map(services, service.moduleName()), "environment"))
                .containsEntry("SYMBOLON_METRICS_TOKEN", "${SYMBOLON_METRICS_TOKEN:-change-me-metrics-token}");
        Map<String, Object> prometheus = yaml(ROOT.resolve("compose/prometheus.yml"));
        Map<String, Object> job = (Map<String, Object>) ((List<?>) prometheus.get("scrape_configs")).get(0);
        assertThat(job).containsEntry("metrics_path", "/actuator/prometheus");
        assertThat(map(job, "authorization")).containsEntry("credentials_file", "/etc/prometheus/metrics-token");
        assertThat(job.get("static_configs").toString())
                .contains(service.moduleName() + ":" + ServiceConfig.of(service).port());
        assertThat(map(map(compose, "configs"), "metrics-token").get("content"))
                .isEqualTo("${SYMBOLON_METRICS_TOKEN:-change-me-metrics-token}");
        assertThat(map(services, "prometheus").get("configs").toString())
                .contains("source=metrics-token")
                .contains("target=/etc/prometheus/metrics-token");
        assertThat(map(services, "grafana").get("volumes").toString())
                .contains("./helm/symbolon/dashboards:/var/lib/grafana/dashboards");
    }

    @Test
    void helm_scrapes_and_protects_every_service_and_scales_the_edge() throws IOException {
        String template = Files.readString(ROOT.resolve("helm/symbolon/templates/services.yaml"));
        assertThat(template)
                .contains("name: SYMBOLON_METRICS_TOKEN")
                .contains("key: {{ $.Values.metrics.tokenKey }}, optional: true")
                .contains("range $env, $value := $.Values.tracing.env")
                .contains("kind: PodDisruptionBudget")
                .contains("kind: HorizontalPodAutoscaler")
                .contains("kind: ServiceMonitor")
                .contains("path: /actuator/prometheus")
                .contains("credentials: {name: {{ $.Values.secretName }}, key: {{ $.Values.metrics.tokenKey }}}")
                .contains("# the metrics scraper (it still needs the scrape token)")
                .contains("{{- if not (dig \"autoscaling\" \"enabled\" false $svc) }}")
                .contains(".Files.Get \"dashboards/symbolon.json\"");
        Map<String, Object> services = map(helm, "services");
        assertThat(map(map(services, "edge-proxy"), "autoscaling")).containsEntry("enabled", true);
        for (String name : services.keySet()) {
            if (!name.equals("edge-proxy")) {
                assertThat(map(services, name)).as(name).doesNotContainKey("autoscaling");
            }
        }
        assertThat(map(map(helm, "metrics"), "scraper")).containsKeys("namespaceSelector", "podSelector");
        assertThat(map(helm, "podDisruptionBudget")).containsEntry("enabled", true);
        assertThat(map(map(helm, "tracing"), "env")).isEmpty(); // tracing is off by default
    }

    @Test
    void compose_brings_kafka_in_kraft_mode_postgres_and_an_initialised_vault() {
        Map<String, Object> services = map(compose, "services");

        assertThat(map(map(services, "kafka"), "environment"))
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
        assertThat(map(services, "postgres")).containsKey("healthcheck");
        assertThat(map(services, "vault")).containsKey("healthcheck");
        String init = map(services, "vault-init").get("command").toString();
        assertThat(init)
                .contains("-version=2 kv")
                .contains("secrets enable transit")
                .contains("derived=true");
    }

    /** What a service's own configuration file requires of its deployment. */
    record ServiceConfig(Set<String> required, int port, boolean usesDatabase) {

        static ServiceConfig of(Service service) throws IOException {
            String file = service.moduleName() + ".yml";
            String text;
            try (InputStream in = DeploymentConfigTest.class.getResourceAsStream("/" + file)) {
                assertThat(in).as(file + " on the classpath").isNotNull();
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            Set<String> required = new LinkedHashSet<>();
            Matcher matcher = REQUIRED.matcher(text);
            while (matcher.find()) {
                required.add(matcher.group(1));
            }
            Matcher port = PORT.matcher(text);
            assertThat(port.find())
                    .as(file + " declares server.port as ${PORT:default}")
                    .isTrue();
            assertThat(required).as(file + " requires something").isNotEmpty();
            return new ServiceConfig(required, Integer.parseInt(port.group(1)), text.contains("datasource:"));
        }
    }

    private static Map<String, Object> yaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new Yaml().load(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }
}
