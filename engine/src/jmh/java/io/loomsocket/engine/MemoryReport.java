package io.loomsocket.engine;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory an idle connection's engine holds (assembler, encoder, permessage-deflate) after each
 * connection exchanged one compressed message both ways: Java heap from {@link Runtime} and
 * process RSS from /proc (zlib state is native memory, invisible to the heap figure).
 * Run: {@code mvn -B -ntp -pl engine -Pjmh test-compile exec:exec -Djmh.main=io.loomsocket.engine.MemoryReport -Djmh.args=2000}
 */
public final class MemoryReport {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        for (String mode : new String[] {"off", "pooled", "takeover"}) {
            Object[] keep = new Object[n];
            long heap0 = heap();
            long rss0 = rss();
            byte[] msg = "{\"hello\":\"world\",\"n\":12345}".repeat(20).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (int i = 0; i < n; i++) {
                PerMessageDeflate pmd = null;
                if (!mode.equals("off")) {
                    boolean t = mode.equals("takeover");
                    pmd = PerMessageDeflate.of(Role.SERVER, new DeflateParams(!t, !t, 0, 0), DeflateConfig.DEFAULT.withContextTakeover(t));
                }
                MessageAssembler in = new MessageAssembler(Role.SERVER, EngineConfig.defaults(), pmd);
                MessageEncoder out = new MessageEncoder(Role.SERVER, pmd, null);
                // one message each way
                ByteBuffer b = ByteBuffer.allocate(2048);
                out.startText(new String(msg, java.nio.charset.StandardCharsets.UTF_8));
                out.encode(b);
                MessageEncoder peer = new MessageEncoder(Role.CLIENT, pmd == null ? null
                        : PerMessageDeflate.of(Role.CLIENT, pmd.params(), DeflateConfig.DEFAULT), MaskSource.fixed(i));
                ByteBuffer w = ByteBuffer.allocate(2048);
                peer.startBinary(msg, 0, msg.length);
                peer.encode(w);
                w.flip();
                in.next(w);
                keep[i] = new Object[] {in, out, pmd};
            }
            long heap = heap() - heap0;
            long rss = rss() - rss0;
            System.out.printf("%-9s %6d connections: heap %7.0f B/conn, RSS %8.0f B/conn%n", mode, n, (double) heap / n, (double) rss / n);
            if (keep[0] == null) {
                System.out.println();
            }
            for (Object o : keep) {
                PerMessageDeflate p = (PerMessageDeflate) ((Object[]) o)[2];
                if (p != null) {
                    p.close();
                }
            }
        }
    }

    static long heap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
