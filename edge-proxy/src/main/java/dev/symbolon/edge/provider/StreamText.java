package dev.symbolon.edge.provider;

import tools.jackson.databind.JsonNode;

/**
 * The text one stream event adds, in the stream shapes the dialects read: what a stream that ends
 * without its usage is charged for.
 */
final class StreamText {

    /** OpenAI Chat and compatibles ({@code choices[].delta}, legacy completions' {@code text}). */
    static void chat(JsonNode event, StringBuilder text) {
        for (JsonNode choice : event.path("choices")) {
            JsonNode delta = choice.path("delta");
            append(text, delta.path("content"));
            append(text, delta.path("reasoning_content"));
            append(text, delta.path("reasoning"));
            for (JsonNode call : delta.path("tool_calls")) {
                append(text, call.path("function").path("arguments"));
            }
            append(text, choice.path("text"));
        }
    }

    /** OpenAI Responses: every {@code response.*.delta} event's {@code delta}. */
    static void responses(JsonNode event, StringBuilder text) {
        String type = event.path("type").asString("");
        if (type.startsWith("response.") && type.endsWith(".delta")) {
            append(text, event.path("delta"));
        }
    }

    /** Anthropic: {@code content_block_delta} text, tool-input JSON and thinking. */
    static void anthropic(JsonNode event, StringBuilder text) {
        if (event.path("type").asString("").equals("content_block_delta")) {
            JsonNode delta = event.path("delta");
            append(text, delta.path("text"));
            append(text, delta.path("partial_json"));
            append(text, delta.path("thinking"));
        }
    }

    /** Gemini: {@code candidates[].content.parts[].text}. */
    static void gemini(JsonNode event, StringBuilder text) {
        for (JsonNode candidate : event.path("candidates")) {
            for (JsonNode part : candidate.path("content").path("parts")) {
                append(text, part.path("text"));
            }
        }
    }

    private static void append(StringBuilder text, JsonNode value) {
        if (value.isString()) {
            text.append(value.asString());
        }
    }

    private StreamText() {}
}
