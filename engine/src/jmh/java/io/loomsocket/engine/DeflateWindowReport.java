package io.loomsocket.engine;

import java.util.*;

/**
 * Chat-like 1 KiB JSON messages through {@link PerMessageDeflate} in each window/context/level
 * configuration ("ct12:1" = context takeover, 12-bit windows, level 1; "nt15:1" = no takeover):
 * CPU per message to compress and to inflate (thread CPU time, best of 7 rounds of 4000 messages),
 * ratio and bytes per message. Run: mvn -B -ntp -pl engine -Pjmh test-compile
 * org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -Djmh.main=io.loomsocket.engine.DeflateWindowReport -Djmh.args="nt15:1 ct12:1"
 */
public class DeflateWindowReport {
    static final String[] W = ("the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part").split(" ");
    static byte[] json(Random r) {
        StringBuilder sb = new StringBuilder(1100);
        sb.append("{\"type\":\"chat.message\",\"room\":\"lobby-").append(r.nextInt(20)).append("\",\"user\":{\"id\":").append(10000 + r.nextInt(90000))
          .append(",\"name\":\"user").append(r.nextInt(1000)).append("\",\"avatar\":\"https://cdn.example.com/a/").append(Long.toHexString(r.nextLong())).append(".png\"},")
          .append("\"ts\":").append(1733140000000L + r.nextInt(1_000_000)).append(",\"id\":\"").append(new UUID(r.nextLong(), r.nextLong())).append("\",\"text\":\"");
        while (sb.length() < 900) sb.append(W[r.nextInt(W.length)]).append(' ');
        sb.append("\",\"reactions\":[{\"emoji\":\"thumbsup\",\"count\":").append(r.nextInt(9)).append("}],\"edited\":false}");
        while (sb.length() < 1024) sb.insert(sb.length() - 1, ' ');
        return sb.substring(0, 1024).getBytes();
    }
    public static void main(String[] a) {
        int n = 4000;
        Random r = new Random(1);
        List<byte[]> msgs = new ArrayList<>();
        for (int i = 0; i < n; i++) msgs.add(json(r));
        String[] cfgs = a.length > 0 ? a : new String[]{"nt15:1", "ct15:1", "ct15:6", "ct10:1", "ct11:1", "ct12:1", "ct13:1", "ct14:1", "ct10:3", "ct11:3", "ct12:3", "ct13:3", "ct12:6", "ct13:6", "nt12:1"};
        java.util.Map<String,double[]> best = new java.util.LinkedHashMap<>();
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 7; round++) {
            for (String c : cfgs) {
                boolean takeover = c.startsWith("ct");
                int bits = Integer.parseInt(c.substring(2, 4));
                int level = Integer.parseInt(c.substring(5));
                DeflateConfig cfg = DeflateConfig.DEFAULT.withContextTakeover(takeover).withPeerContextTakeover(takeover)
                        .withWindowBits(bits).withCompressionLevel(level).withThreshold(0);
                DeflateParams p = new DeflateParams(!takeover, !takeover, bits == 15 ? 0 : bits, bits == 15 ? 0 : bits);
                PerMessageDeflate srv = PerMessageDeflate.of(Role.SERVER, p, cfg);
                PerMessageDeflate cli = PerMessageDeflate.of(Role.CLIENT, p, cfg);
                long bytes = 0;
                List<byte[]> wire = new ArrayList<>(n);
                long t0 = mx.getCurrentThreadCpuTime();
                for (byte[] m : msgs) { byte[] c2 = srv.compressMessage(m, 0, m.length); bytes += c2.length; wire.add(c2); }
                long t1 = mx.getCurrentThreadCpuTime();
                // inflate on the client side with the same engine path
                long t2 = mx.getCurrentThreadCpuTime();
                byte[] out = new byte[2048];
                for (byte[] w : wire) {
                    java.util.zip.Inflater inf = cli.inflater();
                    inf.setInput(w);
                    int k = cli.inflate(inf, out, 0, out.length);
                    inf.setInput(PerMessageDeflate.TAIL);
                    while (!inf.needsInput()) { int q = cli.inflate(inf, out, k, out.length - k); if (q == 0) break; k += q; }
                    cli.endInboundMessage();
                }
                long t3 = mx.getCurrentThreadCpuTime();
                double[] b = best.computeIfAbsent(c, k -> new double[]{1e9, 1e9, 0, 0, 0});
                b[0] = Math.min(b[0], (t1 - t0) / 1e3 / n); b[1] = Math.min(b[1], (t3 - t2) / 1e3 / n); b[2] = 1024.0 * n / bytes; b[3] = bytes / n; b[4] = srv.windowBytesHeld() + cli.windowBytesHeld();
                srv.close(); cli.close();
            }
        }
        best.forEach((c, b) -> System.out.printf("%-7s deflate %6.2f us/msg  inflate %5.2f us/msg  ratio %5.2f  (%4.0f B/msg)  held after run %5.0f B%n", c, b[0], b[1], b[2], b[3], b[4]));
    }
}
