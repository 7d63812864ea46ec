package io.loomsocket.bench.load;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Handshake rate: K concurrent loops of connect, opening handshake (RFC 6455 §4), one echo,
 * closing handshake (§7), and the next connection once the TCP connection is gone. A cycle
 * counts when its echo came back and the connection then closed.
 */
public final class HandshakeWorkload {
    /** A cycle that takes longer than this is abandoned and counted as failed. */
    private static final long CYCLE_TIMEOUT_SECONDS = 10;
    /** Pause before retrying after a failed connect, so a dead server is not hammered in a loop. */
    private static final long RETRY_PAUSE_MILLIS = 20;

    private final Options options;
    private final int concurrency;
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Recorder recorder = new Recorder(3);
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;
    private BenchClient client;

    public HandshakeWorkload(Options options) {
        this.options = options;
        this.concurrency = Math.max(1, options.integer("concurrency", 16));
    }

    public Result run() throws InterruptedException {
        ProcStats server = new ProcStats(options.pid());
        ProcStats self = new ProcStats(ProcessHandle.current().pid());
        try (BenchClient c = new BenchClient(options.url(), options.integer("threads", Runtime.getRuntime().availableProcessors()),
                options.flag("deflate"), options.flag("raw")).offerWindowBits(options.flag("deflate-window-bits"))) {
            client = c;
            for (int i = 0; i < concurrency; i++) startCycle();
            Thread.sleep(options.seconds("warmup", 5) / 1_000_000);
            recorder.getIntervalHistogram();
            long n0 = completed.sum(), f0 = failed.sum();
            double s0 = server.cpuSeconds(), c0 = self.cpuSeconds();
            long t0 = System.nanoTime();
            Thread.sleep(options.seconds("duration", 10) / 1_000_000);
            long t1 = System.nanoTime();
            long n1 = completed.sum(), f1 = failed.sum();
            double s1 = server.cpuSeconds(), c1 = self.cpuSeconds();
            Histogram h = recorder.getIntervalHistogram();
            stopping = true;
            Thread.sleep(500); // let cycles in progress finish before the event loops stop
            double secs = (t1 - t0) / 1e9;
            double rate = (n1 - n0) / secs;
            System.out.printf("handshake: %d concurrent: %.0f cycles/s (connect+upgrade+echo+close), cycle p50 %.0f us, p99 %.0f us, "
                            + "%d failed; server CPU %.1f s, client CPU %.1f s over %.1f s%n",
                    concurrency, rate, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                    f1 - f0, s1 - s0, c1 - c0, secs);
            if (!errors.isEmpty()) System.out.println("first error: " + errors.peek());
            return new Result("handshake").put("concurrency", concurrency).put("deflate", options.flag("deflate"))
                    .put("seconds", secs).put("handshakes_per_s", rate).put("failed", f1 - f0)
                    .put("p50_us", h.getValueAtPercentile(50) / 1000.0).put("p99_us", h.getValueAtPercentile(99) / 1000.0)
                    .put("server_cpu_s", s0 < 0 ? -1.0 : s1 - s0).put("client_cpu_s", c1 - c0);
        }
    }

    private void startCycle() {
        if (stopping) return;
        long start = System.nanoTime();
        ChannelFuture f = client.connect(() -> new Cycle(start), null);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                fail("connect: " + done.cause());
                client.group().next().schedule(this::startCycle, RETRY_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void fail(String why) {
        if (stopping) return;
        failed.increment();
        if (errors.size() < 100) errors.add(why);
    }

    private final class Cycle extends ChannelInboundHandlerAdapter {
        private final long start;
        private boolean echoed;
        private boolean failedAlready;
        private ScheduledFuture<?> timeout;

        Cycle(long start) { this.start = start; }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            timeout = ctx.executor().schedule(() -> {
                failedAlready = true;
                fail("cycle took over " + CYCLE_TIMEOUT_SECONDS + " s");
                ctx.close();
            }, CYCLE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ctx.writeAndFlush(new TextWebSocketFrame("handshake-bench"));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof TextWebSocketFrame t && !echoed) {
                    if (!"handshake-bench".equals(t.content().toString(StandardCharsets.UTF_8))) {
                        failedAlready = true;
                        fail("wrong echo");
                        ctx.close();
                        return;
                    }
                    echoed = true;
                    ctx.writeAndFlush(new CloseWebSocketFrame(1000, ""));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (timeout != null) timeout.cancel(false);
            if (failedAlready) {
                // counted already
            } else if (echoed) {
                if (!stopping) {
                    completed.increment();
                    recorder.recordValue(System.nanoTime() - start);
                }
            } else {
                fail("closed before the echo");
            }
            startCycle();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!failedAlready) fail(cause.toString());
            failedAlready = true;
            ctx.close();
        }
    }
}
