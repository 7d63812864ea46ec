package io.loomsocket.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle connections: opens N WebSockets, holds them without traffic, and reads the server's
 * VmRSS before and after, giving KiB per connection. With {@code --warm N} each connection first
 * sends one N-byte message of the bench words and counts as open once its echo came back, so
 * per-message state (permessage-deflate's compression context, with {@code --deflate}) is in the
 * figure.
 *
 * <p>One process can hold about {@value #DEFAULT_PER_PROCESS} sockets under this box's open-file
 * limit of 20,000, and one source address about 28,000 (the ephemeral port range). For more,
 * the coordinator starts child JVMs ({@code idle-child}), each with its own source address
 * 127.0.0.(2+i), that open their share, print {@code OPENED ok failed}, and hold until their
 * standard input closes.
 */
public final class IdleWorkload {
    static final int DEFAULT_PER_PROCESS = 18_000;
    /** Handshakes in progress at once while opening. */
    private static final int OPENING_CONCURRENCY = 256;
    private static final long OPEN_ALL_TIMEOUT_SECONDS = 300;

    private final Options options;

    public IdleWorkload(Options options) { this.options = options; }

    /** The coordinator: measures RSS around opening N connections (itself or through children). */
    public Result run() throws Exception {
        int n = options.integer("n", 10_000);
        int perProcess = Math.max(1, options.integer("per-process", DEFAULT_PER_PROCESS));
        ProcStats server = new ProcStats(options.pid());
        if (!server.available()) throw new IllegalArgumentException("idle needs --server-pid of a live local server");
        long settleMillis = options.seconds("settle", 3) / 1_000_000;
        long rss0 = server.rssKiB();
        long threads0 = server.threads();
        long t0 = System.nanoTime();
        int opened;
        int failedCount;
        List<Process> children = new ArrayList<>();
        Opened self = null;
        try {
            if (n <= perProcess) {
                self = open(n, options.string("source-ip", "127.0.0.2"));
                opened = self.ok;
                failedCount = self.failed;
            } else {
                int processes = (n + perProcess - 1) / perProcess;
                for (int i = 0; i < processes; i++) {
                    int share = Math.min(perProcess, n - i * perProcess);
                    children.add(startChild(share, "127.0.0." + (2 + i)));
                }
                opened = 0;
                failedCount = 0;
                for (Process p : children) {
                    String line = readLine(p);
                    String[] parts = line.split(" ");
                    if (parts.length != 3 || !parts[0].equals("OPENED")) throw new IllegalStateException("idle-child said: " + line);
                    opened += Integer.parseInt(parts[1]);
                    failedCount += Integer.parseInt(parts[2]);
                }
            }
            double openSecs = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(settleMillis);
            long rss1 = server.rssKiB();
            long threads1 = server.threads();
            double perConn = opened == 0 ? 0 : (double) (rss1 - rss0) / opened;
            System.out.printf("idle: %d of %d WebSockets open (%d failed) in %.1f s; server RSS %d -> %d KiB: %.2f KiB per connection; "
                            + "server threads %d -> %d%n", opened, n, failedCount, openSecs, rss0, rss1, perConn, threads0, threads1);
            return new Result("idle").put("n", n).put("opened", opened).put("failed", failedCount)
                    .put("open_s", openSecs).put("rss_before_kib", rss0).put("rss_after_kib", rss1)
                    .put("kib_per_conn", perConn).put("threads_before", threads0).put("threads_after", threads1)
                    .put("deflate", options.flag("deflate"));
        } finally {
            if (self != null) self.close();
            for (Process p : children) p.getOutputStream().close();
            for (Process p : children) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    /** A child JVM: open its share, report, hold until standard input closes. */
    public void runChild() throws Exception {
        Opened o = open(options.integer("n", 1000), options.string("source-ip", "127.0.0.2"));
        System.out.println("OPENED " + o.ok + " " + o.failed);
        System.out.flush();
        try {
            while (System.in.read() >= 0) {
                // hold the connections until the coordinator closes our standard input
            }
        } finally {
            o.close();
        }
    }

    private Process startChild(int share, String sourceIp) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                LoadGen.class.getName(), "idle-child", "--url", options.url().toString(), "--n", Integer.toString(share),
                "--source-ip", sourceIp, "--threads", "1"));
        if (options.flag("deflate")) cmd.add("--deflate");
        if (options.flag("deflate-window-bits")) cmd.add("--deflate-window-bits");
        if (options.flag("raw")) cmd.add("--raw");
        if (options.integer("warm", 0) > 0) cmd.addAll(List.of("--warm", Integer.toString(options.integer("warm", 0))));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String readLine(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null) throw new IllegalStateException("idle-child exited with " + waitExit(p) + " before reporting");
        return line;
    }

    private static int waitExit(Process p) {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private Opened open(int n, String sourceIp) throws InterruptedException {
        BenchClient client = new BenchClient(options.url(), options.integer("threads", Runtime.getRuntime().availableProcessors()),
                options.flag("deflate"), options.flag("raw")).offerWindowBits(options.flag("deflate-window-bits"));
        Opened o = new Opened(client);
        Semaphore permits = new Semaphore(OPENING_CONCURRENCY);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        InetSocketAddress local = new InetSocketAddress(sourceIp, 0);
        for (int i = 0; i < n; i++) {
            permits.acquire();
            byte[] warm = options.integer("warm", 0) > 0 ? Payloads.of(options.integer("warm", 0)) : null;
            ChannelFuture f = client.connect(() -> new Holder(permits, ok, failed, o.errors, warm), local);
            o.channels.add(f.channel());
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    failed.incrementAndGet();
                    if (o.errors.size() < 10) o.errors.add("connect: " + done.cause());
                    permits.release();
                }
            });
        }
        if (!permits.tryAcquire(OPENING_CONCURRENCY, OPEN_ALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("opening " + n + " connections took over " + OPEN_ALL_TIMEOUT_SECONDS + " s");
        }
        o.ok = ok.get();
        o.failed = failed.get();
        if (!o.errors.isEmpty()) System.err.println("idle: " + o.failed + " failed, first: " + o.errors.peek());
        return o;
    }

    private static final class Opened implements AutoCloseable {
        final BenchClient client;
        final Queue<Channel> channels = new ConcurrentLinkedQueue<>();
        final Queue<String> errors = new ConcurrentLinkedQueue<>();
        int ok;
        int failed;

        Opened(BenchClient client) { this.client = client; }

        @Override
        public void close() {
            for (Channel ch : channels) ch.close();
            client.close();
        }
    }

    /** Counts the handshake, then holds the connection; releases its opening permit exactly once. */
    private static final class Holder extends ChannelInboundHandlerAdapter {
        private final Semaphore permits;
        private final AtomicInteger ok;
        private final AtomicInteger failed;
        private final Queue<String> errors;
        private boolean settled;

        /** Sent once after the handshake; the connection counts as open when its echo arrives. Null: none. */
        private final byte[] warm;

        Holder(Semaphore permits, AtomicInteger ok, AtomicInteger failed, Queue<String> errors, byte[] warm) {
            this.warm = warm;
            this.permits = permits;
            this.ok = ok;
            this.failed = failed;
            this.errors = errors;
        }

        private void settle(boolean success, String why) {
            if (settled) return;
            settled = true;
            (success ? ok : failed).incrementAndGet();
            if (!success && errors.size() < 10) errors.add(why);
            permits.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                if (warm == null) settle(true, null);
                else ctx.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(warm)));
            }
            else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) settle(false, "handshake timeout");
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (warm != null && msg instanceof BinaryWebSocketFrame) settle(true, null); // the warm-up echo
            ReferenceCountUtil.release(msg); // pings are answered by the protocol handler; nothing else is expected
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            settle(false, "closed during the handshake");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            settle(false, cause.toString());
            ctx.close();
        }
    }
}
