package dev.symbolon.support.server;

import dev.symbolon.contracts.Cidr;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
                    HeaderDeadline deadline = new HeaderDeadline(limits.headerTimeout(), limits.idleTimeout());
                    if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                        pipeline.addAfter(NettyPipeline.HttpCodec, HEADER_DEADLINE, deadline);
                    } else {
                        pipeline.addLast(HEADER_DEADLINE, deadline);
                    }
                });
    }

    /** Open connections now held by an address (for tests and diagnostics). */
    public int openConnections(InetAddress address) {
        AtomicInteger count = cap.open.get(address);
        return count == null ? 0 : count.get();
    }

    /**
     * Closes a connection whose request headers have not all arrived in time: {@code first} after
     * the connection opened, {@code next} after the previous response of a kept-alive connection.
     * The clock stops while a request is being served (a long stream is not cut).
     */
    static final class HeaderDeadline extends ChannelDuplexHandler {
        private final long firstNanos;
        private final long nextNanos;
        private ScheduledFuture<?> timer;

        HeaderDeadline(Duration first, Duration next) {
            this.firstNanos = first.toNanos();
            this.nextNanos = next.toNanos();
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            arm(ctx, firstNanos);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                disarm();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof LastHttpContent) {
                ctx.write(msg, promise.unvoid()).addListener((ChannelFutureListener) done -> {
                    if (done.isSuccess() && ctx.channel().isActive()) {
                        arm(ctx, nextNanos);
                    }
                });
                return;
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            ctx.fireChannelInactive();
        }

        private void arm(ChannelHandlerContext ctx, long nanos) {
            disarm();
            timer = ctx.executor()
                    .schedule(
                            () -> {
                                if (ctx.channel().isActive()) {
                                    log.debug(
                                            "closing {}: request headers not received in time",
                                            ctx.channel().remoteAddress());
                                    ctx.close();
                                }
                            },
                            nanos,
                            TimeUnit.NANOSECONDS);
        }

        private void disarm() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
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
