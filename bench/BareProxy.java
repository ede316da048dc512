import io.netty.buffer.ByteBuf;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The ceiling over the edge, for bench/run.sh: a reverse proxy on the edge's own I/O stack (Reactor
 * Netty server and pooled client, same versions) with nothing else — no routing, authentication,
 * policy, limits, key lookup, JSON or metering. What it cannot reach, no design on this stack can.
 *
 * <pre>java -cp CLASSPATH bench/BareProxy.java LISTEN_PORT UPSTREAM_URL</pre>
 */
public class BareProxy {

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        String upstream = args[1];
        HttpClient client = HttpClient.create(ConnectionProvider.builder("upstream")
                        .maxConnections(1024)
                        .pendingAcquireMaxCount(-1)
                        .maxIdleTime(Duration.ofSeconds(30))
                        .build())
                .responseTimeout(Duration.ofSeconds(60));
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(port)
                .handle((request, response) -> request.receive()
                        .aggregate()
                        .retain()
                        .defaultIfEmpty(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                        .flatMap(body -> client.headers(headers -> headers.add(request.requestHeaders())
                                        .remove("host")
                                        .set("authorization", "Bearer sk-bench-upstream-key"))
                                .request(request.method())
                                .uri(upstream + request.uri())
                                .send(Mono.just(body))
                                .responseSingle((upstreamResponse, content) -> content.retain()
                                        .defaultIfEmpty(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                                        .map(buffer -> new Object[] {upstreamResponse, buffer})))
                        .flatMap(pair -> {
                            var upstreamResponse = (reactor.netty.http.client.HttpClientResponse) pair[0];
                            ByteBuf buffer = (ByteBuf) pair[1];
                            return response.status(upstreamResponse.status())
                                    .headers(upstreamResponse.responseHeaders())
                                    .send(Mono.just(buffer))
                                    .then();
                        }))
                .bindNow();
        System.out.println("bare proxy on " + server.port() + " → " + upstream);
        server.onDispose().block();
    }
}
