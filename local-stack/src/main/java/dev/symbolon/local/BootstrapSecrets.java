package dev.symbolon.local;

import dev.symbolon.admin.auth.AdminTokens;
import dev.symbolon.contracts.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The local stack's own secrets, generated on first start and kept in {@code bootstrap.properties}
 * (owner-only) under the data directory, so the printed credentials stay valid across restarts.
 * Local mode only: a production deployment gets these from its secret manager.
 *
 * @param adminToken bootstrap platform-admin credential
 * @param credentialPepper key of the HMAC under which app credentials are hashed
 * @param serviceToken service-to-service token of key-vault-service's internal endpoint
 * @param demoProviderKey the demo provider's own API key; only the edge ever sends it
 * @param adminJwtKey admin-api's token signing key (a private EC JWK)
 * @param appTokenKey the edges' HMAC key for app tokens
 * @param metricsToken what a scraper presents on every service's {@code /actuator/prometheus}
 */
record BootstrapSecrets(
        Secret adminToken,
        Secret credentialPepper,
        Secret serviceToken,
        Secret demoProviderKey,
        Secret adminJwtKey,
        Secret appTokenKey,
        Secret metricsToken) {

    static final String FILE = "bootstrap.properties";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Reads the file, generating what it lacks (all of it on first start) and writing it back. */
    static BootstrapSecrets loadOrCreate(Path dataDirectory) {
        Path file = dataDirectory.resolve(FILE);
        try {
            Properties p = new Properties();
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
            }
            int before = p.size();
            p.putIfAbsent("admin-token", "sym_admin_" + random(24));
            p.putIfAbsent("credential-pepper", random(32));
            p.putIfAbsent("service-token", random(32));
            p.putIfAbsent("demo-provider-key", "sk-demo-" + random(24));
            p.putIfAbsent("admin-jwt-key", AdminTokens.newSigningKey());
            p.putIfAbsent("app-token-key", random(32));
            p.putIfAbsent("metrics-token", random(32));
            if (p.size() != before) {
                write(file, p);
            }
            return new BootstrapSecrets(
                    secret(p, "admin-token"),
                    secret(p, "credential-pepper"),
                    secret(p, "service-token"),
                    secret(p, "demo-provider-key"),
                    secret(p, "admin-jwt-key"),
                    secret(p, "app-token-key"),
                    secret(p, "metrics-token"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private static void write(Path file, Properties p) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system.
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "Symbolon local mode secrets. Local development only; delete to regenerate.");
        }
    }

    private static Secret secret(Properties p, String name) {
        String value = p.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(FILE + " has an empty " + name + "; delete the file (or use --reset)");
        }
        return Secret.of(value);
    }

    private static String random(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }
}
