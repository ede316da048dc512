package dev.symbolon.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class StreamUsageTest {

    @Test
    void events_split_across_chunks_come_out_whole_and_one_by_one() {
        StreamUsage.EventSplitter splitter = new StreamUsage.EventSplitter();
        List<String> events = new ArrayList<>();

        events.addAll(text(splitter.events(bytes("data: {\"a\":1}\n\ndata: {\"b\""))));
        events.addAll(text(splitter.events(bytes(":2}\n"))));
        events.addAll(text(splitter.events(bytes("\nevent: x\r\ndata: 3\r\n\r\ntail"))));

        assertThat(events).containsExactly("data: {\"a\":1}\n\n", "data: {\"b\":2}\n\n", "event: x\r\ndata: 3\r\n\r\n");
        assertThat(text(splitter.rest())).containsExactly("tail");
    }

    @Test
    void only_the_usage_only_chunk_is_recognised() {
        assertThat(StreamUsage.isUsageOnly(bytes("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\n")))
                .isTrue();
        assertThat(StreamUsage.isUsageOnly(
                        bytes("data: {\"choices\":[{\"delta\":{}}],\"usage\":{\"prompt_tokens\":1}}\n\n")))
                .isFalse();
        assertThat(StreamUsage.isUsageOnly(bytes("data: {\"choices\":[{\"delta\":{\"content\":\"usage\"}}]}\n\n")))
                .isFalse();
        assertThat(StreamUsage.isUsageOnly(bytes("data: [DONE]\n\n"))).isFalse();
    }

    @Test
    void usage_is_requested_only_for_streams_that_did_not_ask_themselves() {
        JsonMapper json = JsonMapper.builder().build();

        byte[] injected = StreamUsage.requestUsage(json.readTree("{\"model\":\"m\",\"stream\":true}"));
        assertThat(json.readTree(injected)
                        .path("stream_options")
                        .path("include_usage")
                        .asBoolean())
                .isTrue();
        assertThat(StreamUsage.requestUsage(json.readTree("{\"model\":\"m\"}"))).isNull();
        assertThat(StreamUsage.requestUsage(
                        json.readTree("{\"stream\":true,\"stream_options\":{\"include_usage\":false}}")))
                .as("an explicit choice is respected")
                .isNull();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> text(List<byte[]> events) {
        return events.stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList();
    }
}
