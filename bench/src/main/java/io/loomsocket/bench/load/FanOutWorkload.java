package io.loomsocket.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Fan-out: R receivers and one sender join a group endpoint ({@code --url}, e.g. a view that
 * broadcasts each received message to every member of its group). The sender sends a binary
 * message carrying its send time and a sequence number, waits until every receiver has it,
 * then sends the next one; we report deliveries per second and the time until the last
 * receiver had each message.
 *
 * <p>This is the extension point for the channel layer: any server that offers such an
 * endpoint can be measured with {@code LoadGen fanout --url ws://.../group --receivers R};
 * bench/run.sh runs it for servers that declare a fan-out URL. The peers have none.
 */
public final class FanOutWorkload {
    private final Options options;
    private final int receivers;
    private final int size;
    private final LongAdder deliveries = new LongAdder();
    private final Recorder recorder = new Recorder(3);
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long sequence;
    private volatile long sentAt;
    private volatile boolean stopping;
    private volatile Channel sender;
    private CountDownLatch ready;

    public FanOutWorkload(Options options) {
        this.options = options;
        this.receivers = Math.max(1, options.integer("receivers", 1000));
        this.size = Math.max(16, options.integer("size", 64));
    }

    public Result run() throws InterruptedException {
        ready = new CountDownLatch(receivers + 1);
        List<Channel> channels = new ArrayList<>();
        try (BenchClient client = new BenchClient(options.url(), options.integer("threads", Runtime.getRuntime().availableProcessors()),
                options.flag("deflate"), options.flag("raw"))) {
            for (int i = 0; i < receivers; i++) {
                ChannelFuture f = client.connect(Receiver::new, null).syncUninterruptibly();
                channels.add(f.channel());
            }
            sender = client.connect(Sender::new, null).syncUninterruptibly().channel();
            if (!ready.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("fan-out: handshakes incomplete");
            sendNext();
            Thread.sleep(options.seconds("warmup", 5) / 1_000_000);
            recorder.getIntervalHistogram();
            long d0 = deliveries.sum();
            long t0 = System.nanoTime();
            Thread.sleep(options.seconds("duration", 10) / 1_000_000);
            long t1 = System.nanoTime();
            long d1 = deliveries.sum();
            Histogram h = recorder.getIntervalHistogram();
            stopping = true;
            channels.add(sender);
            for (Channel ch : channels) ch.close();
            double secs = (t1 - t0) / 1e9;
            double rate = (d1 - d0) / secs;
            System.out.printf("fanout: %d receivers, %d B: %.0f deliveries/s, all-received p50 %.0f us, p99 %.0f us, %d errors%n",
                    receivers, size, rate, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, errors.size());
            return new Result("fanout").put("receivers", receivers).put("size", size).put("deliveries_per_s", rate)
                    .put("p50_us", h.getValueAtPercentile(50) / 1000.0).put("p99_us", h.getValueAtPercentile(99) / 1000.0)
                    .put("errors", errors.size());
        }
    }

    private void sendNext() {
        if (stopping) return;
        long seq = ++sequence;
        pending.set(receivers);
        sentAt = System.nanoTime();
        ByteBuf buf = Unpooled.buffer(size).writeLong(seq).writeLong(sentAt).writeZero(size - 16);
        sender.writeAndFlush(new BinaryWebSocketFrame(buf));
    }

    private final class Receiver extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) ready.countDown();
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof BinaryWebSocketFrame f && f.content().readableBytes() == size) {
                    long seq = f.content().getLong(0);
                    if (seq != sequence) return; // a late copy of an earlier round
                    deliveries.increment();
                    if (pending.decrementAndGet() == 0) {
                        recorder.recordValue(System.nanoTime() - f.content().getLong(8));
                        sendNext();
                    }
                } else if (errors.size() < 10) {
                    errors.add("unexpected message " + msg);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause.toString());
            ctx.close();
        }
    }

    /** The sender ignores what the group sends back to it (servers differ on echoing to the sender). */
    private final class Sender extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) ready.countDown();
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
