package dev.symbolon.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UsageParserTest {

    @Test
    void openai_usage_with_cached_tokens() {
        assertThat(
                        parse(
                                """
                        {"usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,
                          "prompt_tokens_details":{"cached_tokens":64}}}"""))
                .contains(new TokenUsage(120, 30, 64));
    }

    @Test
    void openai_responses_usage_keeps_its_cached_input() {
        assertThat(
                        parse(
                                """
                        {"id":"resp_1","object":"response","usage":{"input_tokens":300,
                          "input_tokens_details":{"cached_tokens":256},"output_tokens":40,
                          "output_tokens_details":{"reasoning_tokens":12},"total_tokens":340}}"""))
                .contains(new TokenUsage(300, 40, 256));
    }

    @Test
    void an_openai_responses_stream_reports_usage_in_response_completed() {
        assertThat(
                        parse(
                                """
                        {"type":"response.completed","sequence_number":9,"response":{"id":"resp_1",
                          "status":"completed","usage":{"input_tokens":21,"input_tokens_details":{"cached_tokens":0},
                          "output_tokens":7,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":28}}}"""))
                .contains(new TokenUsage(21, 7, 0));
        assertThat(parse("{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"usage\":null}}"))
                .isEmpty();
    }

    @Test
    void anthropic_usage_counts_cache_reads_and_writes_as_input() {
        assertThat(
                        parse(
                                """
                        {"type":"message","usage":{"input_tokens":10,"output_tokens":25,
                          "cache_read_input_tokens":100,"cache_creation_input_tokens":5}}"""))
                .contains(new TokenUsage(115, 25, 100));
    }

    @Test
    void anthropic_message_start_carries_usage_inside_the_message() {
        assertThat(
                        parse(
                                """
                        {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":42,"output_tokens":1}}}"""))
                .contains(new TokenUsage(42, 1, 0));
    }

    @Test
    void gemini_usage_metadata_including_thoughts() {
        assertThat(
                        parse(
                                """
                        {"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":20,
                          "thoughtsTokenCount":5,"cachedContentTokenCount":8,"totalTokenCount":75}}"""))
                .contains(new TokenUsage(50, 25, 8));
    }

    @Test
    void bodies_without_usage_or_not_json_give_nothing() {
        assertThat(parse("{\"choices\":[]}")).isEmpty();
        assertThat(parse("not json")).isEmpty();
        assertThat(parse("[1,2]")).isEmpty();
    }

    @Test
    void a_later_report_replaces_only_what_it_reports() {
        TokenUsage start = new TokenUsage(42, 1, 0);

        assertThat(start.merge(new TokenUsage(0, 30, 0))).isEqualTo(new TokenUsage(42, 30, 0));
    }

    private static Optional<TokenUsage> parse(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return UsageParser.parse(bytes, 0, bytes.length);
    }
}
