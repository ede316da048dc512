package dev.symbolon.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathSafetyTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/openai/v1/chat/completions",
                "/gemini/v1beta/models/gemini-2.0-flash:generateContent",
                "/compat/demo/v1/models",
                "/openai/v1/files/file-abc%20x"
            })
    void canonical_paths_pass(String path) {
        assertThat(PathSafety.isSafe(path)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/openai/v1/../admin",
                "/openai/v1/./chat/completions",
                "/openai/v1/%2e%2e/admin",
                "/openai/v1/%2E%2E/admin",
                "/openai/v1/.%2e/admin",
                "/openai//v1/chat/completions",
                "/openai/v1/chat%2fcompletions",
                "/openai/v1/chat%5Ccompletions",
                "/openai/v1\\chat",
                "/openai/v1/chat%00",
                "openai/v1/chat/completions",
                ""
            })
    void paths_that_could_address_something_else_are_refused(String path) {
        assertThat(PathSafety.isSafe(path)).isFalse();
    }
}
