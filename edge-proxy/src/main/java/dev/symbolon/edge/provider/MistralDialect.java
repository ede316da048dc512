package dev.symbolon.edge.provider;

import java.util.List;

/** Mistral: OpenAI's key placement, headers and usage shape; inference endpoints of its own (FIM, OCR). */
final class MistralDialect extends OpenAiDialect {

    private static final List<String> INFERENCE = List.of(
            "POST /chat/completions",
            "POST /fim/completions",
            "POST /embeddings",
            "POST /moderations",
            "POST /chat/moderations",
            "POST /ocr",
            "POST /audio/transcriptions",
            "GET /models",
            "GET /models/*");

    MistralDialect() {
        super("mistral");
    }

    @Override
    List<String> inferenceEndpoints() {
        return INFERENCE;
    }
}
