package dev.symbolon.keyvault.store;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A WireMock server that answers like HashiCorp Vault for what key-vault-service uses: KV version 2
 * (read, check-and-set write, destroy, metadata delete), Transit with derived keys (create, read,
 * rotate, encrypt, decrypt, rewrap), token lookup and renewal, AppRole login, and the sealed (503) and
 * permission-denied (403) answers. Responses carry Vault's full wrapper. State lives in memory, so a
 * service test can run its whole key lifecycle against it; every request stays in WireMock's journal
 * for canary checks.
 */
public final class FakeVault implements ResponseDefinitionTransformerV2 {

    public static final String ROOT_TOKEN = "hvs.fake-root-token";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WireMockServer server;
    private final Map<String, List<KvVersion>> kv = new ConcurrentHashMap<>();
    private final Map<String, List<byte[]>> transitKeys = new ConcurrentHashMap<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();
    private volatile boolean sealed;

    public FakeVault() {
        tokens.add(ROOT_TOKEN);
        server = new WireMockServer(options().dynamicPort().extensions(this));
        server.start();
        server.stubFor(any(urlPathMatching("/v1/.*")).willReturn(com.github.tomakehurst.wiremock.client.WireMock.ok()));
    }

    public WireMockServer server() {
        return server;
    }

    public String url() {
        return server.baseUrl();
    }

    /** From now on every call answers 503 "Vault is sealed" (or, unsealed, works again). */
    public void seal(boolean sealed) {
        this.sealed = sealed;
    }

    /** Every request body Vault received so far. */
    public List<String> requestBodies() {
        return server.getAllServeEvents().stream()
                .map(e -> e.getRequest().getBodyAsString())
                .toList();
    }

    /** The KV paths that hold data now. */
    public Set<String> kvPaths() {
        return kv.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(v -> !v.destroyed))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    /** The undestroyed versions of a KV path, with their data. */
    public synchronized Map<Integer, Map<String, Object>> kvVersions(String path) {
        Map<Integer, Map<String, Object>> versions = new LinkedHashMap<>();
        List<KvVersion> all = kv.getOrDefault(path, List.of());
        for (int i = 0; i < all.size(); i++) {
            if (!all.get(i).destroyed) {
                versions.put(i + 1, all.get(i).data);
            }
        }
        return versions;
    }

    public void stop() {
        server.stop();
    }

    @Override
    public String getName() {
        return "fake-vault";
    }

    @Override
    public synchronized ResponseDefinition transform(ServeEvent event) {
        LoggedRequest request = event.getRequest();
        String path = request.getUrl().replaceFirst("\\?.*", "").substring("/v1/".length());
        String method = request.getMethod().getName();
        if (sealed) {
            return error(503, "Vault is sealed");
        }
        try {
            if (path.equals("auth/approle/login")) {
                return login(request);
            }
            String token = request.getHeader("X-Vault-Token");
            if (token == null || !tokens.contains(token)) {
                return error(403, "permission denied");
            }
            if (path.equals("auth/token/lookup-self")) {
                return ok(Map.of("id", token, "ttl", 3600, "renewable", true, "policies", List.of("symbolon")), null);
            }
            if (path.equals("auth/token/renew-self")) {
                return ok(null, Map.of("client_token", token, "lease_duration", 3600, "renewable", true));
            }
            if (path.equals("auth/token/revoke-self")) {
                tokens.remove(token);
                return noContent();
            }
            if (path.startsWith("secret/")) {
                return kv(method, path.substring("secret/".length()), request);
            }
            if (path.startsWith("transit/")) {
                return transit(method, path.substring("transit/".length()), request);
            }
            return error(404, null);
        } catch (RuntimeException e) {
            return error(500, "internal error: " + e.getClass().getSimpleName());
        }
    }

    private ResponseDefinition login(LoggedRequest request) {
        JsonNode body = JSON.readTree(request.getBodyAsString());
        if (!body.path("role_id").asString().startsWith("role-")
                || body.path("secret_id").asString().isEmpty()) {
            return error(400, "invalid role or secret ID");
        }
        String token = "hvs.approle-" + UUID.randomUUID();
        tokens.add(token);
        return ok(
                null,
                Map.of(
                        "client_token",
                        token,
                        "lease_duration",
                        3600,
                        "renewable",
                        true,
                        "policies",
                        List.of("symbolon")));
    }

    private ResponseDefinition kv(String method, String rest, LoggedRequest request) {
        if (rest.startsWith("data/")) {
            String path = rest.substring("data/".length());
            if (method.equals("GET")) {
                List<KvVersion> versions = kv.get(path);
                if (versions == null || versions.isEmpty() || versions.get(versions.size() - 1).destroyed) {
                    return error(404, null);
                }
                KvVersion latest = versions.get(versions.size() - 1);
                return ok(Map.of("data", latest.data, "metadata", metadata(latest, versions.size())), null);
            }
            JsonNode body = JSON.readTree(request.getBodyAsString());
            List<KvVersion> versions = kv.computeIfAbsent(path, p -> new ArrayList<>());
            JsonNode cas = body.path("options").path("cas");
            if (!cas.isMissingNode() && cas.asInt() != versions.size()) {
                return error(400, "check-and-set parameter did not match the current version");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> data = JSON.convertValue(body.path("data"), Map.class);
            KvVersion written = new KvVersion(data, Instant.now().toString());
            versions.add(written);
            return ok(metadata(written, versions.size()), null);
        }
        if (rest.startsWith("destroy/") && method.equals("POST")) {
            List<KvVersion> versions = kv.getOrDefault(rest.substring("destroy/".length()), List.of());
            JSON.readTree(request.getBodyAsString()).path("versions").forEach(v -> {
                if (v.asInt() >= 1 && v.asInt() <= versions.size()) {
                    versions.get(v.asInt() - 1).destroy();
                }
            });
            return noContent();
        }
        if (rest.startsWith("metadata/") && method.equals("DELETE")) {
            kv.remove(rest.substring("metadata/".length()));
            return noContent();
        }
        return error(405, "unsupported operation");
    }

    private ResponseDefinition transit(String method, String rest, LoggedRequest request) {
        String[] parts = rest.split("/");
        String name = parts.length > 1 ? parts[1] : "";
        if (parts[0].equals("keys")) {
            if (parts.length == 3 && parts[2].equals("rotate") && method.equals("POST")) {
                List<byte[]> ring = transitKeys.get(name);
                if (ring == null) {
                    return error(400, "key not found");
                }
                ring.add(newKey());
                return noContent();
            }
            if (method.equals("GET")) {
                List<byte[]> ring = transitKeys.get(name);
                if (ring == null) {
                    return error(404, null);
                }
                Map<String, Object> keys = new LinkedHashMap<>();
                for (int i = 1; i <= ring.size(); i++) {
                    keys.put(Integer.toString(i), 1_700_000_000 + i);
                }
                return ok(
                        Map.of(
                                "name",
                                name,
                                "type",
                                "aes256-gcm96",
                                "derived",
                                true,
                                "kdf",
                                "hkdf_sha256",
                                "latest_version",
                                ring.size(),
                                "min_decryption_version",
                                1,
                                "min_encryption_version",
                                0,
                                "deletion_allowed",
                                false,
                                "exportable",
                                false,
                                "keys",
                                keys),
                        null);
            }
            if (method.equals("POST")) {
                JsonNode body = JSON.readTree(request.getBodyAsString());
                if (!body.path("derived").asBoolean(false)) {
                    return error(400, "this fake only makes derived keys");
                }
                transitKeys.computeIfAbsent(name, n -> new ArrayList<>(List.of(newKey())));
                return noContent();
            }
        }
        List<byte[]> ring = transitKeys.get(name);
        if (ring == null) {
            return error(400, "encryption key not found");
        }
        JsonNode body = JSON.readTree(request.getBodyAsString());
        byte[] context = body.hasNonNull("context")
                ? Base64.getDecoder().decode(body.get("context").asString())
                : null;
        if (context == null) {
            return error(400, "missing 'context' for key derivation; the key was created using a derived key");
        }
        return switch (parts[0]) {
            case "encrypt" ->
                ok(
                        Map.of(
                                "ciphertext",
                                encrypt(
                                        ring,
                                        ring.size(),
                                        context,
                                        Base64.getDecoder()
                                                .decode(body.path("plaintext").asString())),
                                "key_version",
                                ring.size()),
                        null);
            case "decrypt" -> {
                byte[] plain = decrypt(ring, context, body.path("ciphertext").asString());
                yield plain == null
                        ? error(400, "cipher: message authentication failed")
                        : ok(Map.of("plaintext", Base64.getEncoder().encodeToString(plain)), null);
            }
            case "rewrap" -> {
                byte[] plain = decrypt(ring, context, body.path("ciphertext").asString());
                yield plain == null
                        ? error(400, "cipher: message authentication failed")
                        : ok(
                                Map.of(
                                        "ciphertext",
                                        encrypt(ring, ring.size(), context, plain),
                                        "key_version",
                                        ring.size()),
                                null);
            }
            default -> error(405, "unsupported operation");
        };
    }

    private static Map<String, Object> metadata(KvVersion version, int number) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("created_time", version.created);
        metadata.put("custom_metadata", null);
        metadata.put("deletion_time", "");
        metadata.put("destroyed", version.destroyed);
        metadata.put("version", number);
        return metadata;
    }

    private String encrypt(List<byte[]> ring, int version, byte[] context, byte[] plain) {
        try {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, derive(ring.get(version - 1), context), new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = new byte[12 + sealed.length];
            System.arraycopy(nonce, 0, out, 0, 12);
            System.arraycopy(sealed, 0, out, 12, sealed.length);
            return "vault:v" + version + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] decrypt(List<byte[]> ring, byte[] context, String ciphertext) {
        String[] parts = ciphertext.split(":");
        int version = Integer.parseInt(parts[1].substring(1));
        byte[] raw = Base64.getDecoder().decode(parts[2]);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(
                    Cipher.DECRYPT_MODE, derive(ring.get(version - 1), context), new GCMParameterSpec(128, raw, 0, 12));
            return cipher.doFinal(raw, 12, raw.length - 12);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static SecretKeySpec derive(byte[] key, byte[] context) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return new SecretKeySpec(mac.doFinal(context), "AES");
    }

    private byte[] newKey() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return key;
    }

    /** Vault's response wrapper around {@code data} (and {@code auth} for logins). */
    static ResponseDefinition ok(Object data, Object auth) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_id", UUID.randomUUID().toString());
        body.put("lease_id", "");
        body.put("renewable", false);
        body.put("lease_duration", 0);
        body.put("data", data);
        body.put("wrap_info", null);
        body.put("warnings", null);
        body.put("auth", auth);
        body.put("mount_type", "");
        return ResponseDefinitionBuilder.responseDefinition()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(JSON.writeValueAsString(body))
                .build();
    }

    private static ResponseDefinition noContent() {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(204).build();
    }

    static ResponseDefinition error(int status, String message) {
        return ResponseDefinitionBuilder.responseDefinition()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(JSON.writeValueAsString(Map.of("errors", message == null ? List.of() : List.of(message))))
                .build();
    }

    private static final class KvVersion {
        private Map<String, Object> data;
        private final String created;
        private boolean destroyed;

        KvVersion(Map<String, Object> data, String created) {
            this.data = data;
            this.created = created;
        }

        void destroy() {
            destroyed = true;
            data = null;
        }
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
