package dev.symbolon.local;

import dev.symbolon.contracts.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tenant, app and credential local mode starts with, so the printed curl works at once. Created
 * on first start through admin-api's own API (as any admin would), then remembered in the data
 * directory's {@code bootstrap.properties}.
 */
record DemoTenant(String tenantId, String appId, Secret credential) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static DemoTenant ensure(Path dataDirectory, String adminUrl, Secret adminToken) {
        Path file = dataDirectory.resolve(BootstrapSecrets.FILE);
        Properties p = load(file);
        if (p.containsKey("demo-tenant-id") && p.containsKey("demo-app-id") && p.containsKey("demo-credential")) {
            return new DemoTenant(
                    p.getProperty("demo-tenant-id"),
                    p.getProperty("demo-app-id"),
                    Secret.of(p.getProperty("demo-credential")));
        }
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        String tenantId = post(
                        http,
                        adminUrl + "/admin/tenants",
                        adminToken,
                        """
                        {"name":"Demo","timeZone":"UTC","plan":"demo"}""")
                .path("tenantId")
                .asString();
        String appId = post(
                        http,
                        adminUrl + "/admin/tenants/" + tenantId + "/apps",
                        adminToken,
                        """
                        {"name":"Demo app"}""")
                .path("appId")
                .asString();
        String credential = post(
                        http,
                        adminUrl + "/admin/tenants/" + tenantId + "/apps/" + appId + "/credentials",
                        adminToken,
                        "{}")
                .path("key")
                .asString();
        p.setProperty("demo-tenant-id", tenantId);
        p.setProperty("demo-app-id", appId);
        p.setProperty("demo-credential", credential);
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "Symbolon local mode secrets. Local development only; delete to regenerate.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DemoTenant(tenantId, appId, Secret.of(credential));
    }

    private static JsonNode post(HttpClient http, String url, Secret adminToken, String body) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + adminToken.reveal())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("provisioning the demo tenant: " + url + " answered "
                        + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
