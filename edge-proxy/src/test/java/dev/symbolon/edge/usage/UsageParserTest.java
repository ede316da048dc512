package dev.symbolon.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.Tokens;
import dev.symbolon.edge.provider.Dialect;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UsageParserTest {

    @Test
    void openai_usage_with_cached_tokens() {
        assertThat(
                        parse(
                                Dialect.OPENAI,
                                """
                        {"usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,
                          "prompt_tokens_details":{"cached_tokens":64}}}"""))
                .contains(new Tokens(120, 64, 0, 0, 30, 0, 0, 0));
    }

    @Test
    void openai_responses_usage_keeps_its_cached_input() {
        assertThat(
                        parse(
                                Dialect.OPENAI,
                                """
                        {"id":"resp_1","object":"response","usage":{"input_tokens":300,
                          "input_tokens_details":{"cached_tokens":256},"output_tokens":40,
                          "output_tokens_details":{"reasoning_tokens":12},"total_tokens":340}}"""))
                .contains(new Tokens(300, 256, 0, 0, 40, 12, 0, 0));
    }

    @Test
    void an_openai_responses_stream_reports_usage_in_response_completed() {
        assertThat(
                        parse(
                                Dialect.OPENAI,
                                """
                        {"type":"response.completed","sequence_number":9,"response":{"id":"resp_1",
                          "status":"completed","usage":{"input_tokens":21,"input_tokens_details":{"cached_tokens":0},
                          "output_tokens":7,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":28}}}"""))
                .contains(new Tokens(21, 0, 0, 0, 7, 0, 0, 0));
        assertThat(parse(
                        Dialect.OPENAI,
                        "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"usage\":null}}"))
                .isEmpty();
    }

    @Test
    void anthropic_usage_counts_cache_reads_and_writes_as_input() {
        assertThat(
                        parse(
                                Dialect.ANTHROPIC,
                                """
                        {"type":"message","usage":{"input_tokens":10,"output_tokens":25,
                          "cache_read_input_tokens":100,"cache_creation_input_tokens":5}}"""))
                .contains(new Tokens(115, 100, 5, 0, 25, 0, 0, 0));
    }

    @Test
    void anthropic_cache_writes_are_split_by_their_time_to_live() {
        assertThat(
                        parse(
                                Dialect.ANTHROPIC,
                                """
                        {"type":"message","usage":{"input_tokens":10,"output_tokens":25,"cache_read_input_tokens":100,
                          "cache_creation_input_tokens":300,
                          "cache_creation":{"ephemeral_5m_input_tokens":200,"ephemeral_1h_input_tokens":100}}}"""))
                .contains(new Tokens(410, 100, 200, 100, 25, 0, 0, 0));
    }

    @Test
    void openai_audio_and_reasoning_are_parts_of_prompt_and_completion() {
        assertThat(
                        parse(
                                Dialect.OPENAI,
                                """
                        {"usage":{"prompt_tokens":500,"completion_tokens":900,
                          "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":200},
                          "completion_tokens_details":{"reasoning_tokens":300,"audio_tokens":400}}}"""))
                .contains(new Tokens(500, 0, 0, 0, 900, 300, 200, 400));
    }

    @Test
    void gemini_audio_comes_by_modality_and_tool_use_prompts_add_to_input() {
        assertThat(
                        parse(
                                Dialect.GEMINI,
                                """
                        {"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":100,"toolUsePromptTokenCount":50,
                          "promptTokensDetails":[{"modality":"TEXT","tokenCount":600},{"modality":"AUDIO","tokenCount":400}],
                          "candidatesTokensDetails":[{"modality":"TEXT","tokenCount":100}]}}"""))
                .contains(new Tokens(1050, 0, 0, 0, 100, 0, 400, 0));
    }

    @Test
    void negative_or_non_numeric_counts_are_zero_not_credit() {
        assertThat(parse(Dialect.OPENAI, "{\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":\"many\"}}"))
                .contains(Tokens.NONE);
    }

    @Test
    void anthropic_message_start_carries_usage_inside_the_message() {
        assertThat(
                        parse(
                                Dialect.ANTHROPIC,
                                """
                        {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":42,"output_tokens":1}}}"""))
                .contains(Tokens.of(42, 1));
    }

    @Test
    void gemini_usage_metadata_including_thoughts() {
        assertThat(
                        parse(
                                Dialect.GEMINI,
                                """
                        {"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":20,
                          "thoughtsTokenCount":5,"cachedContentTokenCount":8,"totalTokenCount":75}}"""))
                .contains(new Tokens(50, 8, 0, 0, 25, 5, 0, 0));
    }

    @Test
    void bodies_without_usage_or_not_json_give_nothing() {
        assertThat(parse(Dialect.OPENAI, "{\"choices\":[]}")).isEmpty();
        assertThat(parse(Dialect.OPENAI, "not json")).isEmpty();
        assertThat(parse(Dialect.OPENAI, "[1,2]")).isEmpty();
    }

    @Test
    void a_later_report_replaces_only_what_it_reports() {
        Tokens start = new Tokens(42, 10, 3, 0, 1, 0, 0, 0);

        assertThat(UsageParser.merge(start, Tokens.of(0, 30))).isEqualTo(new Tokens(42, 10, 3, 0, 30, 0, 0, 0));
    }

    private static Optional<Tokens> parse(Dialect dialect, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return UsageParser.parse(dialect, bytes, 0, bytes.length);
    }
}
