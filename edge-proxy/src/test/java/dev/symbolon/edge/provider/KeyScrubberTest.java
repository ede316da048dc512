package dev.symbolon.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.Secret;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyScrubberTest {

    private static final String KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";

    @Test
    void every_run_of_eight_or_more_key_characters_is_masked_and_the_length_kept() {
        KeyScrubber scrubber = KeyScrubber.of(Secret.of(KEY));
        String echoed = "whole=" + KEY + " masked=" + KEY.substring(0, 12) + "****" + KEY.substring(KEY.length() - 4)
                + " middle=" + KEY.substring(10, 18) + " short=" + KEY.substring(20, 27);
        String scrubbed = scrubber.scrub(echoed);
        assertThat(scrubbed).hasSameSizeAs(echoed);
        for (int i = 0; i + KeyScrubber.WINDOW <= KEY.length(); i++) {
            assertThat(scrubbed).doesNotContain(KEY.substring(i, i + KeyScrubber.WINDOW));
        }
        assertThat(scrubbed)
                .startsWith("whole=" + "*".repeat(KEY.length()))
                .contains("middle=********")
                // seven characters in a row are not an echo: masked keys keep their last four
                .endsWith("short=" + KEY.substring(20, 27));
    }

    @Test
    void overlapping_echoes_are_masked_whole_and_other_text_is_untouched() {
        KeyScrubber scrubber = KeyScrubber.of(Secret.of(KEY));
        byte[] bytes = (KEY.substring(0, 20) + KEY.substring(5, 30) + " fine").getBytes(StandardCharsets.UTF_8);
        assertThat(new String(scrubber.scrub(bytes), StandardCharsets.UTF_8)).isEqualTo("*".repeat(45) + " fine");
        assertThat(scrubber.scrub("no key here at all")).isEqualTo("no key here at all");
        assertThat(KeyScrubber.NONE.scrub(KEY)).isEqualTo(KEY);
    }

    @Test
    void a_key_shorter_than_the_window_is_masked_where_it_occurs_whole() {
        KeyScrubber scrubber = KeyScrubber.of(Secret.of("abc123"));
        assertThat(scrubber.scrub("key abc123, part abc12")).isEqualTo("key ******, part abc12");
    }
}
