package io.loomsocket.interop.matrix;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/** The named checks of one interop pair: the same "PASS name" / "FAIL name: detail" lines as the peer scripts. */
public final class Checks {

    private final List<String> lines = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();

    public boolean check(String name, boolean ok, String detail) {
        lock.lock();
        try {
            lines.add((ok ? "PASS " : "FAIL ") + name + (ok ? "" : ": " + detail));
        } finally {
            lock.unlock();
        }
        return ok;
    }

    public void fail(String name, Throwable t) {
        String m = String.valueOf(t.getMessage());
        // Selenium's messages carry the whole script and capabilities: keep the first line
        int nl = m.indexOf('\n');
        if (nl > 0) m = m.substring(0, nl);
        if (m.length() > 300) m = m.substring(0, 300) + "...";
        check(name, false, t.getClass().getSimpleName() + ": " + m);
    }

    public List<String> lines() {
        lock.lock();
        try {
            return List.copyOf(lines);
        } finally {
            lock.unlock();
        }
    }

    public List<String> failures() { return lines().stream().filter(l -> l.startsWith("FAIL")).toList(); }

    public long passed() { return lines().stream().filter(l -> l.startsWith("PASS")).count(); }

    public boolean ok() { return passed() > 0 && failures().isEmpty(); }

    /** "PASS (n checks)" or "FAIL k/n: first failure". */
    public String summary() {
        List<String> f = failures();
        long n = lines().size();
        return f.isEmpty() ? (n == 0 ? "FAIL no checks ran" : "PASS (" + n + " checks)")
            : "FAIL " + f.size() + "/" + n + ": " + f.getFirst().substring(5);
    }

    /** Builds from a peer script's output lines. */
    public static Checks of(List<String> peerLines) {
        Checks c = new Checks();
        for (String l : peerLines) {
            if (l.startsWith("PASS ") || l.startsWith("FAIL ")) c.lines.add(l);
        }
        return c;
    }

    /** Sizes exchanged with every peer: each length-form boundary of RFC 6455 §5.2, and the limit. */
    public static int[] sizes(int limit) {
        return java.util.stream.IntStream.of(0, 1, 125, 126, 127, 65535, 65536, limit).distinct().sorted().toArray();
    }

    /** Text of exactly {@code n} UTF-8 bytes, with 1-, 2-, 3- and 4-byte characters. */
    public static String text(int n) {
        String base = "héllo wörld ✓ 日本語 🎉 ";
        StringBuilder sb = new StringBuilder(n);
        int size = 0;
        outer:
        while (true) {
            for (int i = 0; i < base.length(); ) {
                int cp = base.codePointAt(i);
                int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (size + len > n) break outer;
                sb.appendCodePoint(cp);
                size += len;
                i += Character.charCount(cp);
            }
        }
        while (size++ < n) sb.append('a');
        return sb.toString();
    }

    /** Deterministic binary data of {@code n} bytes. */
    public static byte[] binary(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }
}
