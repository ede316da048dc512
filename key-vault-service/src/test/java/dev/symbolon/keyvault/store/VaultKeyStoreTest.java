package dev.symbolon.keyvault.store;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.symbolon.contracts.Secret;
import dev.symbolon.keyvault.KeyVaultProperties;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Vault adapter against WireMock stubs of Vault's documented HTTP API (KV version 2, Transit,
 * token and AppRole auth), each answer in Vault's full response wrapper. What each test stubs is what
 * the API reference documents for that call; what each test verifies is the request the adapter must
 * send.
 */
class VaultKeyStoreTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOKEN = "hvs.configured-token-canary";
    private static final String DATA = "/v1/secret/data/symbolon/tenants/t_1/keys/key_a";
    private static final String CONTEXT = "t_1|key_a";
    private static final String CONTEXT_B64 =
            Base64.getEncoder().encodeToString(CONTEXT.getBytes(StandardCharsets.UTF_8));

    private final WireMockServer vault = new WireMockServer(options().dynamicPort());
    private VaultSessions sessions;

    @BeforeEach
    void start() {
        vault.start();
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.initialize();
        sessions = new VaultSessions(scheduler);
        // Token auth looks its token up first (TTL, renewable); not renewable here, so nothing is scheduled.
        vault.stubFor(get(urlEqualTo("/v1/auth/token/lookup-self"))
                .withHeader("X-Vault-Token", equalTo(TOKEN))
                .willReturn(
                        wrapped(Map.of("id", TOKEN, "ttl", 0, "renewable", false, "policies", List.of("root")), null)));
    }

    @AfterEach
    void stop() {
        sessions.close();
        vault.stop();
    }

    @Test
    void a_write_is_check_and_set_and_answers_the_version_written() {
        vault.stubFor(post(urlEqualTo(DATA))
                .withHeader("X-Vault-Token", equalTo(TOKEN))
                .withRequestBody(equalToJson("{\"data\":{\"v1\":\"vault:v1:abc\"},\"options\":{\"cas\":0}}"))
                .willReturn(wrapped(
                        Map.of(
                                "created_time",
                                "2026-11-23T10:00:00.000000Z",
                                "custom_metadata",
                                Map.of(),
                                "deletion_time",
                                "",
                                "destroyed",
                                false,
                                "version",
                                1),
                        null)));

        int version = store().write("tenants/t_1/keys/key_a", Map.of("v1", "vault:v1:abc"), 0);

        assertThat(version).isEqualTo(1);
    }

    @Test
    void a_lost_check_and_set_is_a_concurrent_change() {
        vault.stubFor(post(urlEqualTo(DATA))
                .willReturn(errors(400, "check-and-set parameter did not match the current version")));

        assertThatThrownBy(() -> store().write("tenants/t_1/keys/key_a", Map.of("v1", "x"), 3))
                .isInstanceOf(ConcurrentChangeException.class);
        vault.verify(
                postRequestedFor(urlEqualTo(DATA)).withRequestBody(matchingJsonPath("$.options.cas", equalTo("3"))));
    }

    @Test
    void a_read_gives_the_newest_version_and_a_missing_entry_is_empty() {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("created_time", "2026-11-23T10:00:00.000000Z");
        metadata.put("custom_metadata", null);
        metadata.put("deletion_time", "");
        metadata.put("destroyed", false);
        metadata.put("version", 3);
        vault.stubFor(get(urlEqualTo(DATA))
                .willReturn(wrapped(
                        Map.of("data", Map.of("v2", "vault:v1:x", "v3", "vault:v2:y"), "metadata", metadata), null)));
        vault.stubFor(get(urlEqualTo("/v1/secret/data/symbolon/tenants/t_1/keys/key_missing"))
                .willReturn(errors(404)));

        KeyStore store = store();

        assertThat(store.read("tenants/t_1/keys/key_a"))
                .contains(new KeyStore.Entry(3, Map.of("v2", "vault:v1:x", "v3", "vault:v2:y")));
        assertThat(store.read("tenants/t_1/keys/key_missing")).isEmpty();
    }

    @Test
    void destroying_a_version_and_the_whole_entry_use_destroy_and_metadata_delete() {
        vault.stubFor(post(urlEqualTo("/v1/secret/destroy/symbolon/tenants/t_1/keys/key_a"))
                .willReturn(aResponse().withStatus(204)));
        vault.stubFor(delete(urlEqualTo("/v1/secret/metadata/symbolon/tenants/t_1/keys/key_a"))
                .willReturn(aResponse().withStatus(204)));

        KeyStore store = store();
        store.destroyVersion("tenants/t_1/keys/key_a", 2);
        store.destroy("tenants/t_1/keys/key_a");

        vault.verify(postRequestedFor(urlEqualTo("/v1/secret/destroy/symbolon/tenants/t_1/keys/key_a"))
                .withRequestBody(equalToJson("{\"versions\":[2]}")));
        vault.verify(deleteRequestedFor(urlEqualTo("/v1/secret/metadata/symbolon/tenants/t_1/keys/key_a")));
    }

    @Test
    void transit_encrypts_decrypts_and_rewraps_with_the_derivation_context() {
        String plaintext = Base64.getEncoder().encodeToString("sealed-part".getBytes(StandardCharsets.UTF_8));
        vault.stubFor(post(urlEqualTo("/v1/transit/encrypt/symbolon"))
                .withRequestBody(matchingJsonPath("$.plaintext", equalTo(plaintext)))
                .withRequestBody(matchingJsonPath("$.context", equalTo(CONTEXT_B64)))
                .willReturn(wrapped(Map.of("ciphertext", "vault:v1:c1", "key_version", 1), null)));
        vault.stubFor(post(urlEqualTo("/v1/transit/decrypt/symbolon"))
                .withRequestBody(matchingJsonPath("$.ciphertext", equalTo("vault:v1:c1")))
                .withRequestBody(matchingJsonPath("$.context", equalTo(CONTEXT_B64)))
                .willReturn(wrapped(Map.of("plaintext", plaintext), null)));
        vault.stubFor(post(urlEqualTo("/v1/transit/rewrap/symbolon"))
                .withRequestBody(matchingJsonPath("$.ciphertext", equalTo("vault:v1:c1")))
                .withRequestBody(matchingJsonPath("$.context", equalTo(CONTEXT_B64)))
                .willReturn(wrapped(Map.of("ciphertext", "vault:v2:c2", "key_version", 2), null)));
        vault.stubFor(post(urlEqualTo("/v1/transit/keys/symbolon/rotate"))
                .willReturn(wrapped(Map.of("name", "symbolon", "latest_version", 2), null)));
        vault.stubFor(get(urlEqualTo("/v1/transit/keys/symbolon")).willReturn(transitKey(true, 2)));

        KeyStore store = store();

        assertThat(store.encrypt(CONTEXT, "sealed-part".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("vault:v1:c1");
        assertThat(store.decrypt(CONTEXT, "vault:v1:c1"))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("sealed-part");
        store.rotateWrappingKey();
        assertThat(store.rewrap(CONTEXT, "vault:v1:c1")).isEqualTo("vault:v2:c2");
        assertThat(store.currentWrappingVersion()).isEqualTo(2);
        assertThat(store.wrappingVersionOf("vault:v1:c1")).isEqualTo(1);
        vault.verify(postRequestedFor(urlEqualTo("/v1/transit/keys/symbolon/rotate")));
    }

    @Test
    void a_missing_transit_key_is_created_derived_and_a_non_derived_one_is_refused() {
        vault.stubFor(get(urlEqualTo("/v1/transit/keys/symbolon")).willReturn(errors(404)));
        vault.stubFor(post(urlEqualTo("/v1/transit/keys/symbolon"))
                .willReturn(aResponse().withStatus(204)));

        store().ensureTransitKey(true);

        vault.verify(postRequestedFor(urlEqualTo("/v1/transit/keys/symbolon"))
                .withRequestBody(matchingJsonPath("$.derived", equalTo("true")))
                .withRequestBody(matchingJsonPath("$.type", equalTo("aes256-gcm96"))));

        vault.stubFor(get(urlEqualTo("/v1/transit/keys/symbolon")).willReturn(transitKey(false, 1)));
        assertThatThrownBy(() -> store().ensureTransitKey(true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be a derived key");
    }

    @Test
    void sealed_refusing_and_unreachable_vaults_are_unavailable_and_never_name_the_token() {
        vault.stubFor(get(urlEqualTo(DATA)).willReturn(errors(503, "Vault is sealed")));
        assertThatThrownBy(() -> store().read("tenants/t_1/keys/key_a"))
                .isInstanceOf(KeyStoreUnavailableException.class)
                .hasMessageContaining("sealed")
                .hasMessageNotContaining(TOKEN);

        vault.stubFor(get(urlEqualTo(DATA)).willReturn(errors(403, "permission denied")));
        assertThatThrownBy(() -> store().read("tenants/t_1/keys/key_a"))
                .isInstanceOf(KeyStoreUnavailableException.class)
                .hasMessageContaining("refused")
                .hasMessageNotContaining(TOKEN);

        vault.stubFor(post(urlEqualTo("/v1/transit/decrypt/symbolon"))
                .willReturn(errors(400, "cipher: message authentication failed")));
        assertThatThrownBy(() -> store().decrypt(CONTEXT, "vault:v1:forged"))
                .as("a ciphertext that does not open is not an outage")
                .isInstanceOf(IllegalStateException.class)
                .isNotInstanceOf(KeyStoreUnavailableException.class)
                .hasMessageContaining("400");

        int port = vault.port();
        vault.stop();
        KeyStore gone =
                sessions.open(settings(KeyVaultProperties.VaultAuth.TOKEN, URI.create("http://localhost:" + port)));
        assertThatThrownBy(() -> gone.read("tenants/t_1/keys/key_a"))
                .isInstanceOf(KeyStoreUnavailableException.class)
                .hasMessageContaining("unreachable");
        vault.start();
    }

    @Test
    void approle_logs_in_renews_its_token_before_it_expires_and_revokes_it_on_close() {
        vault.stubFor(post(urlEqualTo("/v1/auth/approle/login"))
                .withRequestBody(equalToJson("{\"role_id\":\"role-symbolon\",\"secret_id\":\"secret-id-canary\"}"))
                .willReturn(wrapped(
                        null,
                        Map.of(
                                "client_token",
                                "hvs.approle-1",
                                "accessor",
                                "acc-1",
                                "policies",
                                List.of("symbolon"),
                                "lease_duration",
                                7,
                                "renewable",
                                true))));
        vault.stubFor(post(urlEqualTo("/v1/auth/token/renew-self"))
                .withHeader("X-Vault-Token", equalTo("hvs.approle-1"))
                .willReturn(wrapped(
                        null, Map.of("client_token", "hvs.approle-1", "lease_duration", 3600, "renewable", true))));
        vault.stubFor(post(urlEqualTo("/v1/auth/token/revoke-self"))
                .willReturn(aResponse().withStatus(204)));
        vault.stubFor(get(urlEqualTo(DATA))
                .withHeader("X-Vault-Token", equalTo("hvs.approle-1"))
                .willReturn(errors(404)));

        VaultKeyStore store =
                sessions.open(settings(KeyVaultProperties.VaultAuth.APPROLE, URI.create(vault.baseUrl())));
        assertThat(store.read("tenants/t_1/keys/key_a")).isEmpty();

        // The session renews 5 s before the 7 s lease ends.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> vault.verify(postRequestedFor(urlEqualTo("/v1/auth/token/renew-self"))
                        .withHeader("X-Vault-Token", equalTo("hvs.approle-1"))));
        sessions.close();
        vault.verify(postRequestedFor(urlEqualTo("/v1/auth/token/revoke-self"))
                .withHeader("X-Vault-Token", equalTo("hvs.approle-1")));
        vault.verify(1, postRequestedFor(urlEqualTo("/v1/auth/approle/login")));
    }

    @Test
    void a_renewable_configured_token_is_renewed_but_never_revoked() {
        vault.stubFor(get(urlEqualTo("/v1/auth/token/lookup-self"))
                .withHeader("X-Vault-Token", equalTo(TOKEN))
                .willReturn(wrapped(
                        Map.of("id", TOKEN, "ttl", 7, "renewable", true, "policies", List.of("symbolon")), null)));
        vault.stubFor(post(urlEqualTo("/v1/auth/token/renew-self"))
                .withHeader("X-Vault-Token", equalTo(TOKEN))
                .willReturn(wrapped(null, Map.of("client_token", TOKEN, "lease_duration", 3600, "renewable", true))));
        vault.stubFor(get(urlEqualTo(DATA))
                .withHeader("X-Vault-Token", equalTo(TOKEN))
                .willReturn(errors(404)));

        assertThat(store().read("tenants/t_1/keys/key_a")).isEmpty();

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> vault.verify(postRequestedFor(urlEqualTo("/v1/auth/token/renew-self"))
                        .withHeader("X-Vault-Token", equalTo(TOKEN))));
        sessions.close();
        vault.verify(0, postRequestedFor(urlEqualTo("/v1/auth/token/revoke-self")));
    }

    private VaultKeyStore store() {
        return sessions.open(settings(KeyVaultProperties.VaultAuth.TOKEN, URI.create(vault.baseUrl())));
    }

    private static KeyVaultProperties.Vault settings(KeyVaultProperties.VaultAuth auth, URI uri) {
        return new KeyVaultProperties.Vault(
                uri,
                auth,
                Secret.of(TOKEN),
                new KeyVaultProperties.AppRole("approle", "role-symbolon", Secret.of("secret-id-canary")),
                null,
                "secret",
                "symbolon",
                "transit",
                "symbolon",
                true,
                Duration.ofSeconds(2));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder transitKey(
            boolean derived, int latest) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", "symbolon");
        data.put("type", "aes256-gcm96");
        data.put("derived", derived);
        data.put("kdf", "hkdf_sha256");
        data.put("latest_version", latest);
        data.put("min_decryption_version", 1);
        data.put("min_encryption_version", 0);
        data.put("deletion_allowed", false);
        data.put("exportable", false);
        data.put("keys", Map.of("1", 1_700_000_000));
        return wrapped(data, null);
    }

    /** Vault's response wrapper. */
    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder wrapped(Object data, Object auth) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_id", "6f2c3b1e-9a4d-4e0b-8f5e-2a1c3d4e5f60");
        body.put("lease_id", "");
        body.put("renewable", false);
        body.put("lease_duration", 0);
        body.put("data", data);
        body.put("wrap_info", null);
        body.put("warnings", null);
        body.put("auth", auth);
        body.put("mount_type", "kv");
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(JSON.writeValueAsString(body));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder errors(
            int status, String... messages) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(JSON.writeValueAsString(Map.of("errors", List.of(messages))));
    }
}
