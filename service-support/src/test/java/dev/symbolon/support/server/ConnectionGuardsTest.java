package dev.symbolon.support.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.support.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

@SpringBootTest(
        classes = ConnectionGuardsTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.main.banner-mode=off",
            "spring.kafka.admin.auto-create=false",
            "symbolon.server.header-timeout=1s",
            "symbolon.server.idle-timeout=2s",
            "symbolon.server.max-connections-per-address=8",
        })
class ConnectionGuardsTest {

    @SpringBootApplication
    static class App {
        @RestController
        static class Routes {
            @GetMapping("/ping")
            String ping() {
                return "pong";
            }

            /** A response that takes three header timeouts to finish: serving is not waiting. */
            @GetMapping(value = "/slow", produces = "text/event-stream")
            Flux<String> slow() {
                return Flux.interval(Duration.ofMillis(500)).take(6).map(i -> "tick " + i);
            }
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    ConnectionGuards guards;

    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledExecutorService trickle = Executors.newScheduledThreadPool(4);

    @AfterEach
    void close() throws IOException {
        trickle.shutdownNow();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    @Test
    void a_client_trickling_its_headers_is_cut_off_at_the_header_deadline() throws Exception {
        List<Socket> slow = new ArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        byte[] request = "GET /ping HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 6; i++) {
            Socket socket = open();
            slow.add(socket);
            OutputStream out = socket.getOutputStream();
            AtomicInteger at = new AtomicInteger();
            // one byte every 200 ms: steady enough for any idle timer, far too slow for the deadline
            trickle.scheduleAtFixedRate(
                    () -> {
                        try {
                            if (at.get() < request.length) {
                                out.write(request[at.getAndIncrement()]);
                                out.flush();
                                sent.incrementAndGet();
                            }
                        } catch (IOException closed) {
                            // the server closed the connection: what the test waits for
                        }
                    },
                    0,
                    200,
                    TimeUnit.MILLISECONDS);
        }
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.stream().allMatch(ConnectionGuardsTest::closedByServer));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(tookMs).isLessThan(3_000);
        assertThat(sent.get()).as("no request was complete").isLessThan(6 * request.length);
    }

    @Test
    void a_response_that_takes_longer_than_the_header_deadline_is_not_cut() {
        RawHttp.Response response = RawHttp.get(port, "/slow");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("tick 0").contains("tick 5");
    }

    @Test
    void a_kept_alive_connection_is_closed_once_idle() throws Exception {
        Socket socket = open();
        socket.setSoTimeout(2_000);
        socket.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        byte[] buffer = new byte[4096];
        int n = socket.getInputStream().read(buffer);
        assertThat(new String(buffer, 0, n, StandardCharsets.US_ASCII))
                .startsWith("HTTP/1.1 200")
                .contains("pong");
        socket.setSoTimeout(50);
        long answered = System.nanoTime();
        await().atMost(Duration.ofSeconds(6)).until(() -> closedByServer(socket));
        assertThat((System.nanoTime() - answered) / 1_000_000).isGreaterThanOrEqualTo(1_500);
    }

    @Test
    void a_connection_that_never_sends_a_request_is_closed_once_idle() throws Exception {
        Socket silent = open();
        long opened = System.nanoTime();
        await().atMost(Duration.ofSeconds(6)).until(() -> closedByServer(silent));
        assertThat((System.nanoTime() - opened) / 1_000_000).isGreaterThanOrEqualTo(1_500);
    }

    @Test
    void one_address_holds_no_more_connections_than_its_cap() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        await().atMost(Duration.ofSeconds(5)).until(() -> guards.openConnections(loopback) == 0);
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket socket = open();
            // each busy with a 3 s stream, so no deadline closes it meanwhile
            socket.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            held.add(socket);
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> guards.openConnections(loopback) == 8);
        Socket ninth = open();
        await().atMost(Duration.ofSeconds(2)).until(() -> closedByServer(ninth));
        assertThat(guards.openConnections(loopback)).isEqualTo(8);

        held.get(0).close();
        await().atMost(Duration.ofSeconds(2)).until(() -> guards.openConnections(loopback) == 7);
        assertThat(RawHttp.get(port, "/ping").body()).isEqualTo("pong");
    }

    private Socket open() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        socket.setSoTimeout(50);
        sockets.add(socket);
        return socket;
    }

    /** Whether the server has closed its side (a read ends or resets instead of waiting). */
    private static boolean closedByServer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            int read;
            do {
                read = in.read();
            } while (read >= 0);
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
