package dev.symbolon.local;

import dev.symbolon.contracts.Secret;
import dev.symbolon.support.auth.BearerToken;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code demo} provider of local mode: a fake OpenAI-compatible upstream in this JVM, so a
 * newcomer sees a full round trip (key injection, streaming, metering) without any provider key or
 * network. It answers with canned text, not a model. Like a real provider, it refuses any request
 * that does not carry its own key, which only the edge knows.
 *
 * <p>Serves {@code POST /v1/chat/completions} (JSON, or SSE with {@code "stream": true}, with a final
 * usage chunk when {@code stream_options.include_usage} is set) and {@code GET /v1/models}.
 */
final class DemoProvider implements AutoCloseable {

    static final String MODEL = "demo-1";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DisposableServer server;

    private DemoProvider(DisposableServer server) {
        this.server = server;
    }

    static DemoProvider start(int port, Secret apiKey) {
        DisposableServer server = HttpServer.create()
                .host("localhost")
                .port(port)
                .route(routes -> routes.post(
                                "/v1/chat/completions",
                                (req, res) -> authorized(req, res, apiKey, () -> chat(req, res)))
                        .get("/v1/models", (req, res) -> authorized(req, res, apiKey, () -> models(res))))
                .bindNow();
        return new DemoProvider(server);
    }

    String baseUrl() {
        return "http://localhost:" + server.port() + "/v1";
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(2));
    }

    private interface Handler {
        org.reactivestreams.Publisher<Void> handle();
    }

    private static org.reactivestreams.Publisher<Void> authorized(
            HttpServerRequest req, HttpServerResponse res, Secret apiKey, Handler handler) {
        if (!apiKey.matches(BearerToken.from(req.requestHeaders().get("Authorization")))) {
            return json(
                    res.status(HttpResponseStatus.UNAUTHORIZED),
                    Map.of(
                            "error",
                            Map.of(
                                    "message", "Incorrect API key provided to the demo provider.",
                                    "type", "invalid_request_error",
                                    "code", "invalid_api_key")));
        }
        return handler.handle();
    }

    private static org.reactivestreams.Publisher<Void> models(HttpServerResponse res) {
        return json(
                res,
                Map.of(
                        "object",
                        "list",
                        "data",
                        List.of(Map.of("id", MODEL, "object", "model", "created", 0, "owned_by", "symbolon-demo"))));
    }

    private static org.reactivestreams.Publisher<Void> chat(HttpServerRequest req, HttpServerResponse res) {
        return req.receive()
                .aggregate()
                .asString(StandardCharsets.UTF_8)
                .defaultIfEmpty("{}")
                .flatMap(body -> {
                    JsonNode request;
                    try {
                        request = JSON.readTree(body);
                    } catch (RuntimeException e) {
                        return Mono.from(json(
                                res.status(HttpResponseStatus.BAD_REQUEST),
                                Map.of("error", Map.of("message", "invalid JSON", "type", "invalid_request_error"))));
                    }
                    String model = request.path("model").asString(MODEL);
                    String prompt = lastUserMessage(request);
                    List<String> words =
                            List.of(("Hello from the Symbolon demo provider. You said: " + prompt).split(" "));
                    long inputTokens = Math.max(1, (prompt.length() + 3) / 4);
                    long outputTokens = words.size();
                    String id = "chatcmpl-demo-" + UUID.randomUUID();
                    if (request.path("stream").asBoolean(false)) {
                        boolean includeUsage = request.path("stream_options")
                                .path("include_usage")
                                .asBoolean(false);
                        return Mono.from(stream(res, id, model, words, includeUsage, inputTokens, outputTokens));
                    }
                    return Mono.from(json(
                            res,
                            Map.of(
                                    "id",
                                    id,
                                    "object",
                                    "chat.completion",
                                    "created",
                                    System.currentTimeMillis() / 1000,
                                    "model",
                                    model,
                                    "choices",
                                    List.of(Map.of(
                                            "index",
                                            0,
                                            "message",
                                            Map.of("role", "assistant", "content", String.join(" ", words)),
                                            "finish_reason",
                                            "stop")),
                                    "usage",
                                    usage(inputTokens, outputTokens))));
                });
    }

    private static org.reactivestreams.Publisher<Void> stream(
            HttpServerResponse res,
            String id,
            String model,
            List<String> words,
            boolean includeUsage,
            long inputTokens,
            long outputTokens) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String text = (i == 0 ? "" : " ") + words.get(i);
            events.add(JSON.writeValueAsString(chunk(id, model, Map.of("content", text), null)));
        }
        events.add(JSON.writeValueAsString(chunk(id, model, Map.of(), "stop")));
        if (includeUsage) {
            events.add(JSON.writeValueAsString(Map.of(
                    "id",
                    id,
                    "object",
                    "chat.completion.chunk",
                    "model",
                    model,
                    "choices",
                    List.of(),
                    "usage",
                    usage(inputTokens, outputTokens))));
        }
        events.add("[DONE]");
        Flux<String> frames =
                Flux.fromIterable(events).map(data -> "data: " + data + "\n\n").delayElements(Duration.ofMillis(20));
        return res.header("Content-Type", "text/event-stream")
                .header("Cache-Control", "no-cache")
                .sendString(frames, StandardCharsets.UTF_8);
    }

    private static Map<String, Object> chunk(String id, String model, Map<String, String> delta, String finish) {
        Map<String, Object> choice = new java.util.LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("finish_reason", finish);
        return Map.of("id", id, "object", "chat.completion.chunk", "model", model, "choices", List.of(choice));
    }

    private static Map<String, Object> usage(long input, long output) {
        return Map.of("prompt_tokens", input, "completion_tokens", output, "total_tokens", input + output);
    }

    private static String lastUserMessage(JsonNode request) {
        String last = "";
        for (JsonNode message : request.path("messages")) {
            if ("user".equals(message.path("role").asString(""))) {
                JsonNode content = message.path("content");
                last = content.isString() ? content.asString() : content.toString();
            }
        }
        return last;
    }

    private static org.reactivestreams.Publisher<Void> json(HttpServerResponse res, Object body) {
        return res.header("Content-Type", "application/json")
                .sendString(Mono.just(JSON.writeValueAsString(body)), StandardCharsets.UTF_8);
    }
}
