package io.loomsocket.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A chat room's fan-out, as a user sees it: R receivers and one sender in one room of a chat
 * that speaks JSON ({@code {"type":"message","text":"..."}} up; every member, the sender included,
 * gets a JSON object of {@code "type":"message"} with the same {@code "text"}). Receivers are
 * spread round-robin over one or more servers ({@code --urls}, comma-separated: two processes of
 * one cluster); the sender is on the first.
 *
 * <p>The sender keeps at most {@code --window} messages (default 1) not yet delivered to every
 * receiver, {@code --warmup-messages} first (not counted), then {@code --messages}. Each text
 * carries its sequence number and send time. Reported: unique deliveries per second over the
 * measured messages, the delivery latency p50/p99 (send to each receiver's arrival), and what a
 * chat must not do: lost (never arrived within {@code --drain} seconds of the last progress),
 * duplicated (a receiver got a sequence number twice) and reordered (a receiver got a number
 * lower than one it already had). Other messages (presence, join, history) are ignored.
 */
public final class ChatFanOutWorkload {
    private final List<URI> urls;
    private final int receivers;
    private final int messages;
    private final int warmupMessages;
    private final int window;
    private final int size;
    private final long drainNanos;
    private final String cookie;
    private final int threads;
    private final int total;

    private final AtomicIntegerArray remaining;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicated = new LongAdder();
    private final LongAdder reordered = new LongAdder();
    private final Recorder latency = new Recorder(3);
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    private final ReentrantLock sendLock = new ReentrantLock();
    private int sent;                       // guarded by sendLock
    private volatile long measuredStart;
    private volatile long measuredEnd;
    private volatile Channel sender;
    private CountDownLatch ready;
    private final CountDownLatch probed;
    private volatile boolean probing = true;

    public ChatFanOutWorkload(Options options) {
        List<URI> list = new ArrayList<>();
        for (String u : options.string("urls", options.string("url", "ws://127.0.0.1:8000/chat/bench")).split(",")) {
            URI uri = URI.create(u.strip());
            if (!"ws".equals(uri.getScheme()) || uri.getPort() <= 0) throw new IllegalArgumentException("--urls: ws://host:port/path, got " + u);
            list.add(uri);
        }
        this.urls = List.copyOf(list);
        this.receivers = Math.max(1, options.integer("receivers", 1000));
        this.messages = Math.max(1, options.integer("messages", 1000));
        this.warmupMessages = options.integer("warmup-messages", 200);
        this.window = Math.max(1, options.integer("window", 1));
        this.size = Math.max(40, options.integer("size", 64));
        this.drainNanos = TimeUnit.SECONDS.toNanos(Math.max(1, options.integer("drain", 10)));
        this.cookie = options.string("cookie", null);
        this.threads = options.integer("threads", Runtime.getRuntime().availableProcessors());
        this.total = warmupMessages + messages;
        this.remaining = new AtomicIntegerArray(total + 1);
        this.probed = new CountDownLatch(receivers);
    }

    public Result run() throws InterruptedException {
        ready = new CountDownLatch(receivers + 1);
        List<BenchClient> clients = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        try {
            for (URI u : urls) {
                BenchClient c = new BenchClient(u, Math.max(1, threads / urls.size()), false, false);
                if (cookie != null) c.header("Cookie", cookie);
                clients.add(c);
            }
            for (int i = 0; i < receivers; i++) {
                channels.add(clients.get(i % clients.size()).connect(Receiver::new, null).syncUninterruptibly().channel());
            }
            sender = clients.get(0).connect(Sender::new, null).syncUninterruptibly().channel();
            channels.add(sender);
            if (!ready.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("chat fan-out: handshakes incomplete");
            // Handshakes done is not membership done: probe until every receiver has heard the room.
            long probeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!probed.await(500, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > probeDeadline) throw new IllegalStateException("chat fan-out: " + probed.getCount() + " receivers never joined the room");
                sender.writeAndFlush(new TextWebSocketFrame(json("probe")));
            }
            probing = false;
            for (int s = 1; s <= total; s++) remaining.set(s, receivers);
            lastProgress.set(System.nanoTime());
            trySend();
            while (completed.get() < total && System.nanoTime() - lastProgress.get() < drainNanos) {
                Thread.sleep(20);
            }
            long end = measuredEnd != 0 ? measuredEnd : lastProgress.get();
            Histogram h = latency.getIntervalHistogram();
            long lost = 0;
            for (int s = warmupMessages + 1; s <= total; s++) lost += Math.max(0, remaining.get(s));
            long unique = (long) receivers * messages - lost;
            double secs = Math.max(1, end - measuredStart) / 1e9;
            double rate = unique / secs;
            System.out.printf("chat-fanout: %d receivers on %d server(s), %d messages of %d B, window %d: %.0f deliveries/s, "
                            + "latency p50 %.0f us, p99 %.0f us; lost %d, duplicated %d, reordered %d; %d errors%n",
                    receivers, urls.size(), messages, size, window, rate, h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, lost, duplicated.sum(), reordered.sum(), errors.size());
            errors.stream().limit(5).forEach(e -> System.out.println("  error: " + e));
            return new Result("chat-fanout").put("receivers", receivers).put("servers", urls.size()).put("messages", messages)
                    .put("size", size).put("window", window).put("deliveries_per_s", rate)
                    .put("p50_us", h.getValueAtPercentile(50) / 1000.0).put("p99_us", h.getValueAtPercentile(99) / 1000.0)
                    .put("lost", lost).put("duplicated", duplicated.sum()).put("reordered", reordered.sum())
                    .put("errors", errors.size());
        } finally {
            for (Channel ch : channels) ch.close();
            for (BenchClient c : clients) c.close();
        }
    }

    /** {@code {"type":"message","text":"<tag> <nanos> xxx"}} padded so the whole frame payload is {@code size} bytes. */
    private String json(String tag) {
        String head = "{\"type\":\"message\",\"text\":\"" + tag + " " + System.nanoTime() + " ";
        String tail = "\"}";
        int pad = Math.max(0, size - head.length() - tail.length());
        return head + "x".repeat(pad) + tail;
    }

    /** Sends while fewer than {@code window} messages are still on their way to someone. */
    private void trySend() {
        sendLock.lock();
        try {
            while (sent < total && sent - completed.get() < window) {
                int seq = ++sent;
                if (seq == warmupMessages + 1) measuredStart = System.nanoTime();
                sender.write(new TextWebSocketFrame(json(Integer.toString(seq))));
            }
            sender.flush();
        } finally {
            sendLock.unlock();
        }
    }

    private void onDelivery(int seq, long sentAt, Receiver r) {
        long now = System.nanoTime();
        if (seq < 1 || seq > total) {
            errors.add("sequence number out of range: " + seq);
            return;
        }
        if (r.seen.get(seq)) {
            duplicated.increment();
            return;
        }
        r.seen.set(seq);
        if (seq < r.last) reordered.increment();
        r.last = Math.max(r.last, seq);
        if (seq > warmupMessages) {
            delivered.increment();
            latency.recordValue(now - sentAt);
        }
        lastProgress.set(now);
        if (remaining.decrementAndGet(seq) == 0) {
            long done = completed.incrementAndGet();
            if (done == total) measuredEnd = now;
            trySend();
        }
    }

    private void handshake(Object evt) {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) ready.countDown();
    }

    private final class Receiver extends ChannelInboundHandlerAdapter {
        final BitSet seen = new BitSet(total + 1);
        int last;
        boolean heardProbe;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            handshake(evt);
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof TextWebSocketFrame f)) return;
                String text = textField(f.text());
                if (text == null) return;                      // presence, join, leave, resumed...
                if (text.startsWith("probe ")) {
                    if (!heardProbe) {
                        heardProbe = true;
                        probed.countDown();
                    }
                    return;
                }
                if (probing) return;
                int sp1 = text.indexOf(' ');
                int sp2 = text.indexOf(' ', sp1 + 1);
                if (sp1 <= 0 || sp2 < 0) {
                    if (errors.size() < 10) errors.add("unexpected text: " + text);
                    return;
                }
                onDelivery(Integer.parseInt(text, 0, sp1, 10), Long.parseLong(text, sp1 + 1, sp2, 10), this);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (errors.size() < 10) errors.add(cause.toString());
            ctx.close();
        }
    }

    /**
     * The value of the {@code "text"} member of a {@code "type":"message"} object, or null for any
     * other message. A bench-sized reader, not a JSON parser: our texts have no escapes.
     */
    static String textField(String json) {
        if (!json.contains("\"message\"")) return null;
        int k = json.indexOf("\"text\"");
        if (k < 0) return null;
        int open = json.indexOf('"', json.indexOf(':', k + 6) + 1);
        int close = open < 0 ? -1 : json.indexOf('"', open + 1);
        return close < 0 ? null : json.substring(open + 1, close);
    }

    /** The sender counts as a member too; what the room sends back to it is not measured. */
    private final class Sender extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            handshake(evt);
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
