package dev.symbolon.support.server;

import dev.symbolon.contracts.Cidr;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Bounds what a client can hold on any service's HTTP server: a deadline for a request's headers (a
 * slow-header client is cut off, however steadily it trickles), an idle timeout between kept-alive
 * requests, timeouts for reading a body, and a cap on open connections per client address.
 */
public final class ConnectionGuards implements NettyServerCustomizer {

    private static final Logger log = LoggerFactory.getLogger(ConnectionGuards.class);
    private static final String HEADER_DEADLINE = "symbolon.headerDeadline";
    private static final String HEADER_BYTES = "symbolon.headerBytes";
    private static final String CONNECTION_CAP = "symbolon.connectionCap";

    private final ServerLimits limits;
    private final ConnectionCap cap;

    public ConnectionGuards(ServerLimits limits) {
        this.limits = limits;
        this.cap = new ConnectionCap(
                limits.maxConnectionsPerAddress(),
                limits.unlimitedAddresses().stream().map(Cidr::parse).toList());
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.idleTimeout(limits.idleTimeout())
                .readTimeout(limits.bodyReadTimeout())
                .requestTimeout(limits.bodyTimeout())
                .doOnChannelInit((observer, channel, remote) -> {
                    ChannelPipeline pipeline = channel.pipeline();
                    pipeline.addFirst(CONNECTION_CAP, cap);
                    HeaderClock clock = new HeaderClock(limits.headerTimeout().toNanos());
                    if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                        pipeline.addBefore(NettyPipeline.HttpCodec, HEADER_BYTES, clock.bytes());
                        pipeline.addAfter(NettyPipeline.HttpCodec, HEADER_DEADLINE, clock.messages());
                    }
                });
    }

    /** Open connections now held by an address (for tests and diagnostics). */
    public int openConnections(InetAddress address) {
        AtomicInteger count = cap.open.get(address);
        return count == null ? 0 : count.get();
    }

    /**
     * Closes a connection whose request headers take longer than the header timeout to arrive,
     * however steadily a client trickles them. The clock starts at the first byte of a request and
     * stops when its headers are decoded; it is read as bytes arrive, so no timer runs per request
     * (a client that stops sending altogether is the idle timeout's). While a request is served the
     * clock does not run: a long stream is never cut.
     */
    static final class HeaderClock {
        private final long timeoutNanos;
        private long startedNanos; // 0: not reading a request's headers
        private boolean inRequest;

        HeaderClock(long timeoutNanos) {
            this.timeoutNanos = timeoutNanos;
        }

        /** Before the HTTP codec: sees the raw bytes. */
        ChannelInboundHandlerAdapter bytes() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (!inRequest) {
                        long now = System.nanoTime();
                        if (startedNanos == 0) {
                            startedNanos = now;
                        } else if (now - startedNanos > timeoutNanos) {
                            ReferenceCountUtil.release(msg);
                            log.debug(
                                    "closing {}: request headers not received in time",
                                    ctx.channel().remoteAddress());
                            ctx.close();
                            return;
                        }
                    }
                    ctx.fireChannelRead(msg);
                }
            };
        }

        /** After the HTTP codec: sees where requests begin and responses end. */
        ChannelDuplexHandler messages() {
            return new ChannelDuplexHandler() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof HttpRequest) {
                        startedNanos = 0;
                        inRequest = true;
                    }
                    ctx.fireChannelRead(msg);
                }

                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    // the response's end; a 100 Continue is a whole message too, but the body is still to come
                    if (msg instanceof LastHttpContent
                            && !(msg instanceof io.netty.handler.codec.http.HttpResponse response
                                    && response.status().codeClass()
                                            == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL)) {
                        inRequest = false;
                    }
                    ctx.write(msg, promise);
                }
            };
        }
    }

    /** Counts open connections per client address; one instance shared by every channel. */
    @ChannelHandler.Sharable
    static final class ConnectionCap extends ChannelInboundHandlerAdapter {
        private static final AttributeKey<InetAddress> COUNTED = AttributeKey.valueOf("symbolon.countedAddress");

        private final int max;
        private final List<Cidr> unlimited;
        final Map<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

        ConnectionCap(int max, List<Cidr> unlimited) {
            this.max = max;
            this.unlimited = unlimited;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            InetAddress address = address(ctx.channel().remoteAddress());
            if (address == null || unlimited.stream().anyMatch(cidr -> cidr.contains(address))) {
                ctx.fireChannelActive();
                return;
            }
            AtomicInteger count = open.computeIfAbsent(address, a -> new AtomicInteger());
            if (count.incrementAndGet() > max) {
                count.decrementAndGet();
                log.debug("refusing a connection from {}: {} open already", address.getHostAddress(), max);
                ctx.close();
                return;
            }
            ctx.channel().attr(COUNTED).set(address);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            InetAddress address = ctx.channel().attr(COUNTED).getAndSet(null);
            if (address != null) {
                open.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
            }
            ctx.fireChannelInactive();
        }

        private static InetAddress address(SocketAddress remote) {
            return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
        }
    }
}
