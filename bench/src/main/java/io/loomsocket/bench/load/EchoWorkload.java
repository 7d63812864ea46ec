package io.loomsocket.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Echo throughput and latency: C connections, each keeping P messages of S bytes in flight
 * (P = 1 is the latency workload). Every echo is checked for type and length, timed from its
 * send (a connection's echoes come back in order, so a ring of P send times suffices), and
 * answered at once with the next message; writes are flushed once per read batch.
 */
public final class EchoWorkload {
    /** How long all C handshakes may take together. */
    private static final long CONNECT_ALL_TIMEOUT_SECONDS = 60;

    private final Options options;
    private final int connections;
    private final int inflight;
    private final int size;
    private final boolean binary;
    private final ByteBuf payload;
    private final LongAdder messages = new LongAdder();
    private final Recorder recorder = new Recorder(3);
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final List<Channel> channels = new ArrayList<>();
    private volatile boolean stopping;
    private CountDownLatch handshakes;

    public EchoWorkload(Options options, int defaultInflight) {
        this.options = options;
        this.connections = Math.max(1, options.integer("connections", 64));
        this.inflight = Math.max(1, options.integer("inflight", defaultInflight));
        this.size = options.integer("size", 64);
        this.binary = options.flag("binary");
        byte[] body = Payloads.of(size);
        // one direct buffer for the whole run (its reference is never released); each frame takes a
        // retained duplicate, so Netty's encoder reads (and masks into a new buffer) straight from it
        this.payload = Unpooled.directBuffer(size).writeBytes(body);
    }

    public Result run(String mode) throws InterruptedException {
        ProcStats server = new ProcStats(options.pid());
        ProcStats self = new ProcStats(ProcessHandle.current().pid());
        handshakes = new CountDownLatch(connections);
        try (BenchClient client = new BenchClient(options.url(), options.integer("threads", Runtime.getRuntime().availableProcessors()),
                options.flag("deflate"), options.flag("raw")).offerWindowBits(options.flag("deflate-window-bits"))) {
            List<ChannelFuture> futures = new ArrayList<>();
            for (int i = 0; i < connections; i++) futures.add(client.connect(Handler::new, null));
            for (ChannelFuture f : futures) {
                if (!f.awaitUninterruptibly(BenchClient.CONNECT_TIMEOUT_MILLIS) || !f.isSuccess()) {
                    throw new IllegalStateException("connect to " + options.url() + " failed: " + f.cause());
                }
                channels.add(f.channel());
            }
            if (!handshakes.await(CONNECT_ALL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || !errors.isEmpty()) {
                throw new IllegalStateException("handshakes incomplete (" + handshakes.getCount() + " of " + connections
                        + " missing): " + errors.peek());
            }
            Thread.sleep(options.seconds("warmup", 10) / 1_000_000);
            recorder.getIntervalHistogram(); // drop the warm-up samples
            long m0 = messages.sum();
            double s0 = server.cpuSeconds(), c0 = self.cpuSeconds();
            long t0 = System.nanoTime();
            Thread.sleep(options.seconds("duration", 10) / 1_000_000);
            long t1 = System.nanoTime();
            long m1 = messages.sum();
            double s1 = server.cpuSeconds(), c1 = self.cpuSeconds();
            Histogram h = recorder.getIntervalHistogram();
            stopping = true;
            closeAll();

            double secs = (t1 - t0) / 1e9;
            double rate = (m1 - m0) / secs;
            double mbps = rate * size / 1e6;
            Result r = new Result(mode)
                    .put("connections", connections).put("inflight", inflight).put("size", size)
                    .put("type", binary ? "binary" : "text").put("deflate", options.flag("deflate"))
                    .put("seconds", secs).put("msgs_per_s", rate).put("mb_per_s", mbps)
                    .put("p50_us", h.getValueAtPercentile(50) / 1000.0)
                    .put("p99_us", h.getValueAtPercentile(99) / 1000.0)
                    .put("p999_us", h.getValueAtPercentile(99.9) / 1000.0)
                    .put("max_us", h.getMaxValue() / 1000.0)
                    .put("server_cpu_s", s0 < 0 ? -1.0 : s1 - s0)
                    .put("client_cpu_s", c1 - c0)
                    .put("errors", errors.size());
            System.out.printf("%s: %d conns x %d in flight, %d B %s%s: %.0f msg/s, %.1f MB/s, p50 %.0f us, p99 %.0f us, p99.9 %.0f us; "
                            + "server CPU %.1f s, client CPU %.1f s over %.1f s%n",
                    mode, connections, inflight, size, binary ? "binary" : "text", options.flag("deflate") ? " deflate" : "",
                    rate, mbps, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                    h.getValueAtPercentile(99.9) / 1000.0, s1 - s0, c1 - c0, secs);
            if (!errors.isEmpty()) System.out.println("errors: " + errors.size() + ", first: " + errors.peek());
            return r;
        }
    }

    private void closeAll() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel ch : channels) {
            if (ch.isActive()) ch.writeAndFlush(new CloseWebSocketFrame(1000, "bench done"));
            closing.add(ch.closeFuture());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (ChannelFuture f : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !f.awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left))) f.channel().close();
        }
    }

    private WebSocketFrame frame() {
        ByteBuf content = payload.retainedDuplicate();
        return binary ? new BinaryWebSocketFrame(content) : new TextWebSocketFrame(content);
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final long[] sentAt = new long[inflight];
        private int head;
        private int tail;

        private void send(ChannelHandlerContext ctx) {
            sentAt[tail] = System.nanoTime();
            tail = (tail + 1) % inflight;
            ctx.write(frame(), ctx.voidPromise());
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                handshakes.countDown();
                for (int i = 0; i < inflight; i++) send(ctx);
                ctx.flush();
            } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                errors.add("handshake timeout");
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof WebSocketFrame f)) return;
                boolean typeOk = binary ? f instanceof BinaryWebSocketFrame : f instanceof TextWebSocketFrame;
                if (!typeOk || f.content().readableBytes() != size) {
                    errors.add("unexpected echo: " + f.getClass().getSimpleName() + " of " + f.content().readableBytes() + " bytes");
                    ctx.close();
                    return;
                }
                long now = System.nanoTime();
                recorder.recordValue(now - sentAt[head]);
                head = (head + 1) % inflight;
                messages.increment();
                if (!stopping) send(ctx);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!stopping) errors.add("connection closed by the server during the run");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause.toString());
            ctx.close();
        }
    }
}
