package dev.symbolon.local;

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
 * @param demoCredential credential of the demo tenant's demo app ({@code sym_live_…})
 * @param credentialPepper key of the HMAC under which app credentials are hashed
 * @param serviceToken service-to-service token of key-vault-service's internal endpoint
 * @param demoProviderKey the demo provider's own API key; only the edge ever sends it
 */
record BootstrapSecrets(
        Secret adminToken,
        Secret demoCredential,
        Secret credentialPepper,
        Secret serviceToken,
        Secret demoProviderKey) {

    static final String FILE = "bootstrap.properties";

    private static final SecureRandom RANDOM = new SecureRandom();

    static BootstrapSecrets loadOrCreate(Path dataDirectory) {
        Path file = dataDirectory.resolve(FILE);
        try {
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
                return new BootstrapSecrets(
                        required(p, "admin-token"),
                        required(p, "demo-credential"),
                        required(p, "credential-pepper"),
                        required(p, "service-token"),
                        required(p, "demo-provider-key"));
            }
            BootstrapSecrets secrets = new BootstrapSecrets(
                    Secret.of("sym_admin_" + random(24)),
                    Secret.of("sym_live_" + random(24)),
                    Secret.of(random(32)),
                    Secret.of(random(32)),
                    Secret.of("sk-demo-" + random(24)));
            secrets.write(file);
            return secrets;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("admin-token", adminToken.reveal());
        p.setProperty("demo-credential", demoCredential.reveal());
        p.setProperty("credential-pepper", credentialPepper.reveal());
        p.setProperty("service-token", serviceToken.reveal());
        p.setProperty("demo-provider-key", demoProviderKey.reveal());
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

    private static Secret required(Properties p, String name) {
        String value = p.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(FILE + " lacks " + name + "; delete the file (or use --reset)");
        }
        return Secret.of(value);
    }

    private static String random(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }
}
