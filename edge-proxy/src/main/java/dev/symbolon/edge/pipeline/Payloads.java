package dev.symbolon.edge.pipeline;

import dev.symbolon.edge.call.GatewayException;
import dev.symbolon.edge.call.ProxyCall;
import dev.symbolon.edge.provider.Provider;
import dev.symbolon.edge.provider.StreamUsage;
import dev.symbolon.edge.usage.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a request body the way its provider would, so that what the policy checks is what the
 * provider acts on: a body that looks like JSON is JSON whatever its {@code Content-Type} says
 * (providers parse it regardless), parsed strictly (a duplicate key could name one model to the edge
 * and another to the provider); {@code model} must be a string; a multipart form's {@code model}
 * field counts; Gemini names its model in the path ({@code /models/{model}:generateContent}).
 */
final class Payloads {

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static ProxyCall.Payload read(ProxyCall call, byte[] body) {
        MediaType type = contentType(call);
        String pathModel =
                call.route().provider().dialect().pathModel(call.route().endpoint());
        checkModel(call, pathModel);
        if (body.length == 0) {
            return new ProxyCall.Payload(body, pathModel, false, false, 0, null);
        }
        if (type != null && type.getType().equalsIgnoreCase("multipart")) {
            String model = multipartModel(call, body, type); // for the allow-list, and to price it
            checkModel(call, model);
            return new ProxyCall.Payload(body, model != null ? model : pathModel, false, false, body.length / 4L, null);
        }
        boolean declaredJson =
                type != null && type.getSubtype().toLowerCase(Locale.ROOT).contains("json");
        if (!declaredJson && !looksLikeJson(body)) {
            return new ProxyCall.Payload(body, pathModel, false, false, body.length / 4L, null);
        }
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (JacksonException e) {
            throw new GatewayException(
                            HttpStatus.BAD_REQUEST,
                            "invalid_json",
                            "The request body is not valid JSON (or repeats a key).")
                    .at(call);
        }
        JsonNode modelNode = root == null ? null : root.get("model");
        if (modelNode != null && !modelNode.isNull() && !modelNode.isString()) {
            throw new GatewayException(HttpStatus.BAD_REQUEST, "invalid_model", "The model must be a string.").at(call);
        }
        String model = modelNode != null && modelNode.isString() ? modelNode.asString() : null;
        checkModel(call, model);
        if (root == null || !root.isObject()) {
            return new ProxyCall.Payload(body, model, false, false, body.length / 4L, null);
        }
        byte[] withUsage = call.route()
                        .provider()
                        .dialect()
                        .asksStreamUsage(call.route().provider(), call.route().endpoint())
                ? StreamUsage.requestUsage(root)
                : null;
        return new ProxyCall.Payload(
                withUsage != null ? withUsage : body,
                model != null ? model : pathModel,
                call.route().provider().dialect().streams(root, call.route().endpoint()),
                withUsage != null,
                promptTokens(call, model != null ? model : pathModel, body),
                outputCap(root));
    }

    private static MediaType contentType(ProxyCall call) {
        try {
            return call.request().headers().getContentType();
        } catch (InvalidMediaTypeException e) {
            throw new GatewayException(
                            HttpStatus.BAD_REQUEST, "invalid_content_type", "The Content-Type header is malformed.")
                    .at(call);
        }
    }

    private static void checkModel(ProxyCall call, String model) {
        if (model != null && !call.policy().allowsModel(model)) {
            throw new GatewayException(
                            HttpStatus.FORBIDDEN, "model_not_allowed", "This model is not allowed for this app.")
                    .at(call);
        }
    }

    /** Whether the first byte after white space (and a UTF-8 byte order mark) opens a JSON value. */
    static boolean looksLikeJson(byte[] body) {
        int i = 0;
        if (body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf) {
            i = 3;
        }
        while (i < body.length && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) {
            i++;
        }
        return i < body.length && (body[i] == '{' || body[i] == '[');
    }

    /** The {@code model} field of a multipart form; refused when the form cannot be read or repeats it. */
    private static String multipartModel(ProxyCall call, byte[] body, MediaType type) {
        String boundary = type.getParameter("boundary");
        if (boundary != null && boundary.length() > 1 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
            boundary = boundary.substring(1, boundary.length() - 1);
        }
        if (boundary == null || boundary.isEmpty()) {
            throw invalidMultipart(call);
        }
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        int at = text.indexOf(delimiter);
        String model = null;
        while (at >= 0) {
            int partStart = at + delimiter.length();
            if (text.startsWith("--", partStart)) {
                return model; // the closing delimiter
            }
            int headersEnd = text.indexOf("\r\n\r\n", partStart);
            int next = text.indexOf("\r\n" + delimiter, partStart);
            if (headersEnd < 0 || next < 0 || headersEnd > next) {
                throw invalidMultipart(call);
            }
            if ("model".equals(fieldName(text.substring(partStart, headersEnd)))) {
                if (model != null) {
                    throw new GatewayException(
                                    HttpStatus.BAD_REQUEST, "invalid_model", "The form names its model more than once.")
                            .at(call);
                }
                model = new String(
                        text.substring(headersEnd + 4, next).getBytes(StandardCharsets.ISO_8859_1),
                        StandardCharsets.UTF_8);
            }
            at = next + 2;
        }
        throw invalidMultipart(call);
    }

    private static String fieldName(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().equalsIgnoreCase("content-disposition")) {
                continue;
            }
            for (String parameter : line.substring(colon + 1).split(";")) {
                String trimmed = parameter.trim();
                if (trimmed.toLowerCase(Locale.ROOT).startsWith("name=")) {
                    String value = trimmed.substring(5).trim();
                    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                            ? value.substring(1, value.length() - 1)
                            : value;
                }
            }
        }
        return null;
    }

    private static GatewayException invalidMultipart(ProxyCall call) {
        return new GatewayException(HttpStatus.BAD_REQUEST, "invalid_multipart", "The multipart body cannot be read.")
                .at(call);
    }

    /**
     * A JSON prompt's tokens: counted ({@link Tokenizer#countBody}, no fewer than the provider counts)
     * where a token or cost quota will reserve them, else its size guessed at four bytes a token.
     */
    private static long promptTokens(ProxyCall call, String model, byte[] body) {
        return call.policy().hasQuotas() ? Tokenizer.countBody(model, body) : body.length / 4L;
    }

    /** The output limit fields, in the order a provider reads them when a body names several. */
    private static final String[] CAP_FIELDS = {"max_completion_tokens", "max_tokens", "max_output_tokens"};

    /** The output limit a body sets, or null when it sets none. */
    private static Long outputCap(JsonNode root) {
        for (String field : CAP_FIELDS) {
            JsonNode value = root.get(field);
            if (value != null && value.canConvertToLong()) {
                return Math.max(0, value.asLong());
            }
        }
        JsonNode gemini = root.path("generationConfig").get("maxOutputTokens");
        return gemini != null && gemini.canConvertToLong() ? Math.max(0, gemini.asLong()) : null;
    }

    /**
     * The body with its output limit lowered to {@code cap}: the field the body already uses, else
     * the one its dialect and endpoint read ({@link Dialect#putOutputCap}). Null when the body is not
     * a JSON object.
     */
    /**
     * The body with its {@code model} set to another (a fallback target's); null when the body is not
     * a JSON object naming a model (then the request cannot be sent there as another model).
     */
    static byte[] withModel(ProxyCall call, String model) {
        JsonNode root;
        try {
            root = STRICT.readTree(call.payload().bytes());
        } catch (JacksonException e) {
            return null;
        }
        if (!(root instanceof tools.jackson.databind.node.ObjectNode object) || !object.has("model")) {
            return null;
        }
        object.put("model", model);
        return STRICT.writeValueAsBytes(object);
    }

    static byte[] withOutputCap(ProxyCall call, long cap) {
        JsonNode root;
        try {
            root = STRICT.readTree(call.payload().bytes());
        } catch (JacksonException e) {
            return null;
        }
        if (!(root instanceof tools.jackson.databind.node.ObjectNode object)) {
            return null;
        }
        for (String field : CAP_FIELDS) {
            if (object.has(field)) {
                object.put(field, cap);
                return STRICT.writeValueAsBytes(object);
            }
        }
        Provider provider = call.route().provider();
        provider.dialect().putOutputCap(object, provider, call.route().endpoint(), cap);
        return STRICT.writeValueAsBytes(object);
    }

    private Payloads() {}
}
