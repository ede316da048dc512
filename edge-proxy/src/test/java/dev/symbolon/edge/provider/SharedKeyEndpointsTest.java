package dev.symbolon.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

class SharedKeyEndpointsTest {

    @Test
    void inference_is_matched_by_method_and_whole_segments_gemini_verbs_included() {
        SharedKeyEndpoints endpoints = granting("openai", "GET /files");
        assertThat(endpoints.allows("openai", HttpMethod.POST, "/chat/completions", false))
                .isTrue();
        assertThat(endpoints.allows("openai", HttpMethod.GET, "/chat/completions", false))
                .isFalse();
        assertThat(endpoints.allows("openai", HttpMethod.POST, "/chat/completions/x", false))
                .isFalse();
        assertThat(endpoints.allows("openai", HttpMethod.GET, "/files", false)).isTrue();
        assertThat(endpoints.allows("groq", HttpMethod.GET, "/files", false)).isFalse();
        assertThat(endpoints.allows("compat:demo", HttpMethod.POST, "/chat/completions", false))
                .isTrue();
        assertThat(endpoints.allows("gemini", HttpMethod.POST, "/models/gemini-2.5-flash:generateContent", false))
                .isTrue();
        assertThat(endpoints.allows("gemini", HttpMethod.POST, "/models/:generateContent", false))
                .isFalse();
        assertThat(endpoints.allows("gemini", HttpMethod.POST, "/models/a:b:generateContent", false))
                .isFalse();
        assertThat(endpoints.allows("gemini", HttpMethod.POST, "/models/m:batchGenerateContent", false))
                .isFalse();
        assertThat(endpoints.allows("anthropic", HttpMethod.POST, "/messages/batches", false))
                .isFalse();
    }

    @Test
    void account_administration_is_never_reached_with_a_server_key_even_when_configured() {
        SharedKeyEndpoints endpoints = granting("openai", "GET /organization/users");
        assertThat(endpoints.allows("openai", HttpMethod.GET, "/organization/users", false))
                .isFalse();
        assertThat(endpoints.allows("openai", HttpMethod.GET, "/organization/users", true))
                .isTrue();
    }

    /** The endpoints shared keys reach when the operator grants one more to one provider. */
    private static SharedKeyEndpoints granting(String provider, String entry) {
        return new SharedKeyEndpoints(
                ProviderRoutesTest.properties(Map.of(), Map.of(), Map.of(provider, List.of(entry))));
    }
}
