package dev.symbolon.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventTextTest {

    @Test
    void clean_text_is_returned_as_it_is() {
        String text = "gpt-4o-mini 🙂 ünïcode";
        assertThat(EventText.clean(text, 100)).isSameAs(text);
        assertThat(EventText.isClean(text, 100)).isTrue();
    }

    @Test
    void controls_and_unpaired_surrogates_become_replacement_characters() {
        assertThat(EventText.clean("gpt\u00004o", 100)).isEqualTo("gpt\uFFFD4o");
        assertThat(EventText.clean("a\tb\nc\rd\u007Fe\u0085f", 100)).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf");
        assertThat(EventText.clean("x\uD800y", 100)).isEqualTo("x\uFFFDy");
        assertThat(EventText.clean("x\uDC00", 100)).isEqualTo("x\uFFFD");
        assertThat(EventText.clean("\uD83D", 100)).isEqualTo("\uFFFD");
        assertThat(EventText.isClean("gpt\u00004o", 100)).isFalse();
    }

    @Test
    void long_text_is_cut_without_splitting_a_surrogate_pair() {
        assertThat(EventText.clean("a".repeat(300), 256)).hasSize(256);
        String cut = EventText.clean("abc🙂", 4);
        assertThat(cut).isEqualTo("abc");
        assertThat(new String(cut.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo(cut);
    }

    @Test
    void nested_json_values_are_cleaned_everywhere() {
        Object cleaned =
                EventText.cleanJson(Map.of("k\u0000", List.of("v\u0000", Map.of("deep", "\uD800")), "n", 3), 100);
        assertThat(cleaned).isEqualTo(Map.of("k\uFFFD", List.of("v\uFFFD", Map.of("deep", "\uFFFD")), "n", 3));
    }

    @Test
    void an_event_decoded_from_the_wire_holds_only_storable_text() {
        String golden = GoldenFiles.read(Topics.USAGE_RECORDED);
        String model = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(golden)
                .path("model")
                .asString();
        String poisoned = golden.replace("\"" + model + "\"", "\"gpt\\u0000" + "x".repeat(5000) + "\\ud800\"");

        UsageRecorded event = EventJson.decode(poisoned, UsageRecorded.class);

        assertThat(event.model()).startsWith("gpt\uFFFDx").hasSize(EventText.NAME);
        assertThat(EventText.isClean(event.model(), EventText.NAME)).isTrue();
        AuditEvent audit = GoldenFiles.decode(Topics.AUDIT, AuditEvent.class);
        AuditEvent dirty = new AuditEvent(
                audit.eventId(),
                audit.occurredAt(),
                audit.tenantId(),
                audit.version(),
                "alice\u0000",
                audit.actorRole(),
                audit.action(),
                audit.target(),
                audit.service(),
                audit.sourceIp(),
                audit.requestId(),
                Map.of("label", "a\u0000b"));
        assertThat(dirty.actor()).isEqualTo("alice\uFFFD");
        assertThat(dirty.details()).containsEntry("label", "a\uFFFDb");
    }
}
