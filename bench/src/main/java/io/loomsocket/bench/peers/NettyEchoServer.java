package io.loomsocket.bench.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;

/**
 * Netty 4.2's WebSocket echo as its documentation builds it: HttpServerCodec, an aggregator for
 * the upgrade request, [WebSocketServerCompressionHandler], WebSocketServerProtocolHandler on
 * /echo with its defaults (64 KiB frames, UTF-8 validation, close handling), and a handler that
 * writes each data frame back and flushes once per read batch. Epoll when available.
 */
public final class NettyEchoServer {
    /** Largest upgrade request (headers) the aggregator takes. */
    private static final int MAX_UPGRADE_REQUEST_BYTES = 65536;

    private NettyEchoServer() {}

    public static void main(String[] args) throws InterruptedException {
        PeerArgs a = PeerArgs.parse("NettyEchoServer", args);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, factory);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(factory); // Netty's default: 2 x cores
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/echo").allowExtensions(a.deflate()).build();
        try {
            Channel server = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ChannelPipeline p = ch.pipeline();
                            p.addLast(new HttpServerCodec());
                            p.addLast(new HttpObjectAggregator(MAX_UPGRADE_REQUEST_BYTES));
                            if (a.deflate()) p.addLast(new WebSocketServerCompressionHandler(0));
                            p.addLast(new WebSocketServerProtocolHandler(config));
                            p.addLast(new Echo());
                        }
                    })
                    .bind("127.0.0.1", a.port()).sync().channel();
            PeerArgs.announce("netty" + (a.deflate() ? "-deflate" : "") + (epoll ? " (epoll)" : " (nio)"), a.port());
            server.closeFuture().sync();
        } finally {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
        }
    }

    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof PingWebSocketFrame || frame instanceof PongWebSocketFrame) return;
            ctx.write(frame.retain(), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
