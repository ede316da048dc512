package dev.symbolon.webhooks.receiver;

import dev.symbolon.contracts.TargetGuard;
import dev.symbolon.webhooks.DispatcherProperties;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * A tenant's receiver as the dispatcher reaches it: the URL checked by {@link TargetGuard} (no
 * loopback, private or metadata address unless allowed; https when required), the connection made to
 * the very address that was checked (the host name kept for Host, SNI and certificate checks, with no
 * second lookup a DNS rebinding could answer differently), redirects not followed, a connect and a
 * response timeout, and the receiver's {@code Retry-After} read ({@link RetryAfter}).
 */
@Component
public class ReceiverClient {

    private final TargetGuard guard;
    private final Duration timeout;
    private final HttpClient http;

    @Autowired
    ReceiverClient(DispatcherProperties properties) {
        this(properties.allowLoopbackTargets(), properties.requireHttps(), properties.deliveryTimeout());
    }

    ReceiverClient(boolean allowLoopback, boolean requireHttps, Duration timeout) {
        this.guard = new TargetGuard(allowLoopback, requireHttps);
        this.timeout = timeout;
        this.http = HttpClient.create()
                .followRedirect(false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(3_000, timeout.toMillis()))
                .responseTimeout(timeout);
    }

    /** The target, resolved and checked once; refused when the guard says so. Blocking (a DNS lookup). */
    public TargetGuard.Checked check(String url) throws TargetGuard.Refused {
        return guard.check(URI.create(url));
    }

    /** POSTs {@code payload} as JSON with {@code headers} to the checked address; never follows a redirect. */
    public Mono<Answer> post(TargetGuard.Checked target, Map<String, String> headers, byte[] payload) {
        HttpClient client = http.remoteAddress(() -> {
            try {
                return new InetSocketAddress(
                        InetAddress.getByAddress(target.host(), target.address().getAddress()), target.port());
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
        if (target.https()) {
            client = client.secure();
        }
        return client.headers(h -> {
                    h.set("content-type", "application/json").set("user-agent", "Symbolon-Webhooks/1");
                    headers.forEach(h::set);
                })
                .post()
                .uri(target.uri().toString())
                .send(Mono.just(Unpooled.wrappedBuffer(payload)))
                .response((response, body) -> body.then(Mono.just(new Answer(
                        response.status().code(),
                        RetryAfter.parse(response.responseHeaders().get("retry-after"))))))
                .next()
                .timeout(timeout);
    }

    /** What an attempt that got no answer records: one line, never a stack trace. */
    public static String describe(Throwable e) {
        if (e instanceof TargetGuard.Refused refused) {
            return "target refused: " + refused.getMessage();
        }
        if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
            return "timed out";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName()
                + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }

    /**
     * The receiver's answer.
     *
     * @param retryAfter what it asked for in {@code Retry-After}; null when nothing usable
     */
    public record Answer(int status, Duration retryAfter) {}
}
