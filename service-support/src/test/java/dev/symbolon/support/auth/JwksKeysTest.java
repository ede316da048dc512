package dev.symbolon.support.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.symbolon.support.testing.AdminJwks;
import io.jsonwebtoken.JwtException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one JWK-set key cache, against a real HTTP server that counts its fetches. */
class JwksKeysTest {

    final AdminJwks signer = new AdminJwks("kid-1");
    final AtomicInteger fetches = new AtomicInteger();
    volatile int status = 200;
    HttpServer server;
    JwksKeys keys;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = signer.jwksJson().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        keys = new JwksKeys(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json"), "test JWK set");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void a_key_id_seen_once_is_served_from_the_cache() {
        assertThat(lookUp("kid-1")).isPresent();
        assertThat(lookUp("kid-1")).isPresent();

        assertThat(fetches).hasValue(1);
    }

    @Test
    void unknown_key_ids_fetch_the_set_at_most_once_per_interval() {
        assertThat(lookUp("forged-1")).isEmpty();
        assertThat(lookUp("forged-2")).isEmpty();
        assertThat(lookUp("forged-3")).isEmpty();

        assertThat(fetches).hasValue(1);
    }

    @Test
    void a_token_without_a_key_id_fails_without_a_fetch() {
        assertThat(lookUp(null)).isEmpty();

        assertThat(fetches).hasValue(0);
    }

    @Test
    void a_set_that_cannot_be_read_gives_no_key_and_no_exception() {
        status = 500;

        assertThat(lookUp("kid-1")).isEmpty();
        assertThat(fetches).hasValue(1);
    }

    private Optional<PublicKey> lookUp(String kid) {
        return keys.verify(lookup -> {
                    try {
                        return Optional.of(lookup.key(kid));
                    } catch (JwtException e) {
                        return Optional.<PublicKey>empty();
                    }
                })
                .block(Duration.ofSeconds(10));
    }
}
