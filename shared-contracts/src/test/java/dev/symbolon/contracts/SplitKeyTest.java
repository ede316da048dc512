package dev.symbolon.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SplitKeyTest {

    private static final byte[] KEY = "sk-canary-split-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final byte[] AAD = SplitKey.aad("t_1", "key_a", 1, "openai");

    @Test
    void the_two_parts_together_give_back_the_key() {
        byte[] clientPart = SplitKey.newClientPart();
        byte[] sealed = SplitKey.seal(clientPart, KEY, AAD);

        assertThat(SplitKey.open(clientPart, sealed, AAD))
                .hasValueSatisfying(k -> assertThat(k).isEqualTo(KEY));
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("sk-canary");
    }

    @Test
    void a_wrong_client_part_or_another_keys_binding_does_not_open() {
        byte[] clientPart = SplitKey.newClientPart();
        byte[] sealed = SplitKey.seal(clientPart, KEY, AAD);

        assertThat(SplitKey.open(SplitKey.newClientPart(), sealed, AAD)).isEmpty();
        assertThat(SplitKey.open(clientPart, sealed, SplitKey.aad("t_2", "key_a", 1, "openai")))
                .as("another tenant")
                .isEmpty();
        assertThat(SplitKey.open(clientPart, sealed, SplitKey.aad("t_1", "key_a", 2, "openai")))
                .as("another version")
                .isEmpty();
        assertThat(SplitKey.open(clientPart, sealed, SplitKey.aad("t_1", "key_a", 1, "anthropic")))
                .as("another provider")
                .isEmpty();
        sealed[sealed.length - 1] ^= 1;
        assertThat(SplitKey.open(clientPart, sealed, AAD)).as("tampered").isEmpty();
        assertThat(SplitKey.open(clientPart, new byte[3], AAD)).as("truncated").isEmpty();
    }

    @Test
    void the_client_part_travels_as_base64url_and_is_read_back_in_either_alphabet() {
        byte[] clientPart = SplitKey.newClientPart();
        String encoded = SplitKey.encodeClientPart(clientPart);

        assertThat(encoded).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(SplitKey.decodeClientPart(encoded)).hasValue(clientPart);
        String standard = java.util.Base64.getEncoder().encodeToString(clientPart);
        assertThat(SplitKey.decodeClientPart(standard)).hasValue(clientPart);
        assertThat(SplitKey.decodeClientPart("too-short")).isEmpty();
        assertThat(SplitKey.decodeClientPart("!!!" + encoded)).isEmpty();
        assertThat(SplitKey.decodeClientPart(null)).isEmpty();
    }
}
