package dev.symbolon.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretTest {

    private static final String CANARY = "sk-canary-7f3e9a1b";

    record Holder(String name, Secret key) {}

    @Test
    void a_secret_never_prints_its_value_even_inside_a_record() {
        Secret secret = Secret.of(CANARY);

        assertThat(secret.toString()).doesNotContain(CANARY).isEqualTo("[redacted]");
        assertThat(new Holder("x", secret).toString()).doesNotContain(CANARY);
        assertThat(String.valueOf(secret)).doesNotContain(CANARY);
    }

    @Test
    void matching_compares_the_value() {
        Secret secret = Secret.of(CANARY);

        assertThat(secret.matches(CANARY)).isTrue();
        assertThat(secret.matches(CANARY + "x")).isFalse();
        assertThat(secret.matches(null)).isFalse();
        assertThat(secret.reveal()).isEqualTo(CANARY);
    }
}
