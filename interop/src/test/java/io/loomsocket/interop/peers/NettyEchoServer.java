package io.loomsocket.interop.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Netty's WebSocket server as an echo peer for our client, with the same small command language
 * as the Python and Node peers: echo every message; "close CODE REASON" closes with that code and
 * reason; "ping PAYLOAD" pings and answers "pong PAYLOAD" when the pong arrives; "frag" sends
 * "frag-ment-ed ✓" as three frames (splitting the check mark). Binds 127.0.0.1 on a free port.
 */
public final class NettyEchoServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    public NettyEchoServer(boolean deflate, int maxMessageSize) throws InterruptedException {
        this(deflate, true, maxMessageSize);
    }

    /**
     * @param allowServerNoContext false for Netty's stock handshaker, which declines offers that ask
     *                             for server_no_context_takeover (our client then needs its fallback offer)
     */
    public NettyEchoServer(boolean deflate, boolean allowServerNoContext, int maxMessageSize) throws InterruptedException {
        channel = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536));
                    // Netty's default handshaker declines offers that ask for server_no_context_takeover
                    // (RFC 7692 §7.1.1.1 lets a server accept them): allowServerNoContext lets it accept
                    if (deflate) {
                        ch.pipeline().addLast(new WebSocketServerExtensionHandler(allowServerNoContext
                            ? new PerMessageDeflateServerExtensionHandshaker(6, false, 15, true, false, 0)
                            : new PerMessageDeflateServerExtensionHandshaker()));
                    }
                    ch.pipeline().addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                        .websocketPath("/")
                        .checkStartsWith(true)
                        .allowExtensions(deflate)
                        .dropPongFrames(false)
                        .handshakeTimeoutMillis(5000)
                        .decoderConfig(WebSocketDecoderConfig.newBuilder()
                            .maxFramePayloadLength(maxMessageSize).allowExtensions(deflate).build())
                        .build()));
                    ch.pipeline().addLast(new WebSocketFrameAggregator(maxMessageSize), new Echo());
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    public int port() { return ((InetSocketAddress) channel.localAddress()).getPort(); }

    @Override public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        private String awaitingPong;

        @Override protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof PongWebSocketFrame pong) {
                if (awaitingPong != null) {
                    String payload = pong.content().toString(StandardCharsets.UTF_8);
                    awaitingPong = null;
                    ctx.writeAndFlush(new TextWebSocketFrame("pong " + payload));
                }
                return;
            }
            if (frame instanceof TextWebSocketFrame text) {
                String s = text.text();
                if (s.startsWith("close ")) {
                    String[] parts = s.split(" ", 3);
                    ctx.writeAndFlush(new CloseWebSocketFrame(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : ""));
                    return;
                }
                if (s.startsWith("ping ")) {
                    awaitingPong = s.substring(5);
                    ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.copiedBuffer(awaitingPong, StandardCharsets.UTF_8)));
                    return;
                }
                if (s.equals("frag")) {
                    byte[] b = "frag-ment-ed ✓".getBytes(StandardCharsets.UTF_8);
                    ctx.write(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(b, 0, 5)));
                    ctx.write(new ContinuationWebSocketFrame(false, 0, Unpooled.wrappedBuffer(b, 5, 9)));
                    ctx.writeAndFlush(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(b, 14, b.length - 14)));
                    return;
                }
                ctx.writeAndFlush(new TextWebSocketFrame(s));
                return;
            }
            if (frame instanceof BinaryWebSocketFrame bin) {
                ByteBuf copy = bin.content().retainedDuplicate();
                ctx.writeAndFlush(new BinaryWebSocketFrame(copy));
            }
        }
    }
}
