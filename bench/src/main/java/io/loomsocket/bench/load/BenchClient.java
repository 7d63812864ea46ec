package io.loomsocket.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import java.net.InetSocketAddress;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Netty's client-side WebSocket codec (RFC 6455 handshake and framing, optional RFC 7692
 * permessage-deflate) on epoll when available. Every workload connects through here, so all
 * servers meet the same independent client.
 *
 * <p>Pipeline: HTTP codec, handshake response aggregator, [compression], protocol handler
 * (handshake, close, masking of client frames per RFC 6455 §5.3), a frame aggregator (so a
 * server that fragments is still counted per message), then the workload's handler, which sees
 * {@link WebSocketClientProtocolHandler.ClientHandshakeStateEvent#HANDSHAKE_COMPLETE}.
 */
public final class BenchClient implements AutoCloseable {
    /** Largest handshake response we accept (status line plus headers). */
    static final int MAX_HANDSHAKE_RESPONSE_BYTES = 16 * 1024;
    /** Largest echoed message we accept: four times the largest workload message (16 KiB). */
    static final int MAX_MESSAGE_BYTES = 256 * 1024;
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** The largest LZ77 window RFC 7692 §7.1.2 allows (2^15 bytes). */
    private static final int MAX_WINDOW_BITS = 15;

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final URI uri;
    private final boolean deflate;
    private final boolean raw;
    private final InetSocketAddress remote;
    private final DefaultHttpHeaders extraHeaders = new DefaultHttpHeaders();
    private boolean offerWindowBits;

    /**
     * @param raw the server echoes our masked frames back byte for byte (the raw TCP ceiling),
     *            so the decoder must accept masked frames (Netty's allowMaskMismatch)
     */
    public BenchClient(URI uri, int threads, boolean deflate, boolean raw) {
        this.uri = uri;
        this.deflate = deflate;
        this.raw = raw;
        this.remote = new InetSocketAddress(uri.getHost(), uri.getPort());
        if (Epoll.isAvailable()) {
            group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
            channelClass = EpollSocketChannel.class;
        } else {
            group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
            channelClass = NioSocketChannel.class;
        }
    }

    public static String transport() {
        return Epoll.isAvailable() ? "epoll" : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
    }

    public EventLoopGroup group() { return group; }

    /** Adds a header to every handshake this client makes from now on (e.g. a session cookie). */
    public BenchClient header(String name, String value) {
        extraHeaders.add(name, value);
        return this;
    }

    /**
     * With permessage-deflate, also offer {@code client_max_window_bits} (RFC 7692 §7.1.2.2), as
     * browsers and Python websockets do, so a server may bound the window this client compresses
     * with; Netty's client then compresses with JZlib when told fewer than 15 bits. Without it the
     * offer is {@code permessage-deflate} alone, what Netty's client offers without JZlib.
     */
    public BenchClient offerWindowBits(boolean offer) {
        this.offerWindowBits = offer;
        return this;
    }

    /** Connects and starts the handshake; {@code local} may be null (the kernel picks the source). */
    public ChannelFuture connect(Supplier<? extends ChannelHandler> handler, InetSocketAddress local) {
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .customHeaders(extraHeaders)
                .version(WebSocketVersion.V13)
                .allowExtensions(deflate)
                .maxFramePayloadLength(MAX_MESSAGE_BYTES)
                .allowMaskMismatch(raw)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
                // the load generator checks lengths, not UTF-8: spend the shared CPU on the server
                .withUTF8Validator(false)
                .build();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new HttpClientCodec());
                        p.addLast(new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE_BYTES));
                        if (deflate) p.addLast(new WebSocketClientExtensionHandler(deflateHandshaker(offerWindowBits)));
                        p.addLast(new WebSocketClientProtocolHandler(config));
                        p.addLast(new WebSocketFrameAggregator(MAX_MESSAGE_BYTES));
                        p.addLast(handler.get());
                    }
                });
        return local == null ? b.connect(remote) : b.connect(remote, local);
    }

    /**
     * permessage-deflate (RFC 7692) at level 6. It offers what Netty's default client offers:
     * {@code permessage-deflate} with context takeover both ways, plus {@code client_max_window_bits}
     * when {@code windowBits} (Netty's client adds it whenever JZlib is on its class path; the bench
     * carries JZlib for {@link #offerWindowBits}, so the choice is made here). It also accepts a
     * server's {@code client_no_context_takeover}: RFC 7692 §7.1.1.2 lets a server add it to its
     * response, which Netty's default client rejects ("invalid WebSocket Extension handshake").
     * Netty's own flag for that would also put {@code client_no_context_takeover} into the offer
     * and so change what every server negotiates; hence the offer and the acceptance come from
     * two handshakers.
     */
    private static WebSocketClientExtensionHandshaker deflateHandshaker(boolean windowBits) {
        if (windowBits && !ZlibCodecFactory.isSupportingWindowSizeAndMemLevel()) {
            throw new IllegalStateException("offering client_max_window_bits needs JZlib on the class path");
        }
        PerMessageDeflateClientExtensionHandshaker offer =
                new PerMessageDeflateClientExtensionHandshaker(6, windowBits, MAX_WINDOW_BITS, false, false, 0);
        PerMessageDeflateClientExtensionHandshaker accept =
                new PerMessageDeflateClientExtensionHandshaker(6, windowBits, MAX_WINDOW_BITS, true, false, 0);
        return new WebSocketClientExtensionHandshaker() {
            @Override
            public WebSocketExtensionData newRequestData() {
                return offer.newRequestData();
            }

            @Override
            public WebSocketClientExtension handshakeExtension(WebSocketExtensionData extensionData) {
                return accept.handshakeExtension(extensionData);
            }
        };
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
