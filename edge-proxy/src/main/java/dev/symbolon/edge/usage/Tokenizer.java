package dev.symbolon.edge.usage;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Counts tokens the edge must count itself: a prompt's worst case before it is sent, and the text a
 * stream delivered when it ended without the provider's usage.
 *
 * <p>OpenAI models (GPT-4o, GPT-4.1, GPT-5, the o-series, gpt-oss) are counted with their own BPE
 * encoding, {@code o200k_base} ({@code cl100k_base} for GPT-4 and GPT-3.5): exactly what OpenAI
 * bills for that text. Every other family (Claude, Gemini, Llama, Mistral), whose tokenizers are not
 * published for Java, is counted with {@code o200k_base} as a documented estimate.
 */
public final class Tokenizer {

    private Tokenizer() {}

    /** The tokens of a text in the model's encoding (or the estimate). */
    public static long count(String model, String text) {
        return text == null || text.isEmpty() ? 0 : encoding(model).countTokensOrdinary(text);
    }

    /**
     * A request body's tokens: its whole JSON text counted, which is at least what the provider counts
     * for a text prompt (keys, quotes and braces outnumber the few tokens a provider adds per message),
     * so that a quota reserves no less than the prompt will cost.
     */
    public static long countBody(String model, byte[] body) {
        return count(model, new String(body, StandardCharsets.UTF_8));
    }

    private static Encoding encoding(String model) {
        String name = model == null ? "" : model.toLowerCase(Locale.ROOT);
        if (name.startsWith("openai/")) {
            name = name.substring("openai/".length());
        }
        boolean legacy = (name.startsWith("gpt-4") && !name.startsWith("gpt-4o") && !name.startsWith("gpt-4.1"))
                || name.startsWith("gpt-3.5");
        return legacy ? Registry.CL100K : Registry.O200K;
    }

    /** Loaded once, on first use (reading an encoding takes a moment). */
    private static final class Registry {
        static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
        static final Encoding O200K = REGISTRY.getEncoding(EncodingType.O200K_BASE);
        static final Encoding CL100K = REGISTRY.getEncoding(EncodingType.CL100K_BASE);
    }
}
