package dev.symbolon.support.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.support.testing.RouteWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalPathTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "/internal/v1/server-keys/openai",
                "/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent",
                "/openai/v1/chat/completions",
                "/admin/tenants/t_1/apps/",
                "/files/a%20b",
                "/x/caf%C3%A9",
                "/x/%3A@!$&'()*+,=",
                "/x/.well-known/jwks.json",
                "/x/...",
                "/x/a.b"
            })
    void pathsWhoseRawAndDecodedFormsAgreeAreCanonical(String path) {
        assertThat(CanonicalPath.problem(path)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "internal",
                "/%69nternal/v1/server-keys/openai",
                "/%49nternal",
                "/internal;x/v1/server-keys/openai",
                "/internal/v1;/x",
                "/internal/./v1",
                "/x/../internal",
                "/x/..",
                "/x/.",
                "/%2e/internal",
                "/x/%2E%2E/internal",
                "/x/..%3B/files",
                "/x/%252e%252e/files",
                "/x/%c0%ae%c0%ae/files",
                "/x/%C0%AF",
                "/x/%ed%a0%80",
                "/x/%ff",
                "/x/%e2%82",
                "//internal/v1",
                "/internal//v1",
                "/internal\\v1",
                "/internal%2Fv1",
                "/internal%5cv1",
                "/x%00",
                "/x%0a",
                "/x%7F",
                "/x%c2%85",
                "/x%2",
                "/x%zz",
                "/x y",
                "/x\ty",
                "/x\"y",
                "/x<y>",
                "/x{y}",
                "/x|y",
                "/x^y",
                "/x`y",
                "/caf\u00e9"
            })
    void everySpellingThatDecodesToSomethingElseIsRefused(String path) {
        assertThat(CanonicalPath.problem(path)).as(path).isNotNull();
    }

    @Test
    void overlongPathsAreRefused() {
        assertThat(CanonicalPath.problem("/" + "a".repeat(CanonicalPath.MAX_LENGTH)))
                .contains("longer than");
    }

    @Test
    void theRouteWalksHostileSpellingsAreAllRefused() {
        for (String path : new String[] {"/internal/v1/server-keys/x1", "/admin/tenants/x1/keys", "/a"}) {
            assertThat(RouteWalk.nonCanonical(path)).hasSizeGreaterThan(10).allSatisfy(variant -> assertThat(
                            CanonicalPath.problem(variant))
                    .as(variant)
                    .isNotNull());
            assertThat(RouteWalk.lookAlikes(path)).allSatisfy(variant -> assertThat(CanonicalPath.problem(variant))
                    .as(variant)
                    .isNull());
        }
    }
}
