package dev.symbolon.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.CredentialHasher;
import dev.symbolon.contracts.Secret;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

class ClientCredentialsTest {

    private final MultiValueMap<String, String> noQuery = new LinkedMultiValueMap<>();

    @Test
    void openai_style_sdks_send_a_bearer_token() {
        HttpHeaders headers = new HttpHeaders();
        headers.set("Authorization", "Bearer sym_live_abc");

        assertThat(Dialect.OPENAI.credential(headers, noQuery)).isEqualTo("sym_live_abc");
    }

    @Test
    void the_anthropic_sdk_sends_x_api_key() {
        HttpHeaders headers = new HttpHeaders();
        headers.set("x-api-key", "sym_live_abc");

        assertThat(Dialect.ANTHROPIC.credential(headers, noQuery)).isEqualTo("sym_live_abc");
    }

    @Test
    void google_sdks_send_x_goog_api_key_or_a_key_query_parameter() {
        HttpHeaders headers = new HttpHeaders();
        headers.set("x-goog-api-key", "sym_live_header");
        MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
        query.add("key", "sym_live_query");

        assertThat(Dialect.GEMINI.credential(headers, query)).isEqualTo("sym_live_header");
        assertThat(Dialect.GEMINI.credential(new HttpHeaders(), query)).isEqualTo("sym_live_query");
    }

    @Test
    void a_non_bearer_authorization_is_no_credential() {
        HttpHeaders headers = new HttpHeaders();
        headers.set("Authorization", "Basic dXNlcjpwYXNz");

        assertThat(Dialect.OPENAI.credential(headers, noQuery)).isNull();
        assertThat(Dialect.OPENAI.credential(new HttpHeaders(), noQuery)).isNull();
    }

    @Test
    void credential_hashes_are_keyed_by_the_pepper() {
        String credential = "sym_live_abc";

        String one = new CredentialHasher(Secret.of("pepper-1")).hash(credential);
        String two = new CredentialHasher(Secret.of("pepper-2")).hash(credential);

        assertThat(one).hasSize(64).doesNotContain(credential).isNotEqualTo(two);
        assertThat(new CredentialHasher(Secret.of("pepper-1")).hash(credential)).isEqualTo(one);
    }
}
