package io.loomsocket.bench.load;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the load generator: {@code --name value} pairs and bare {@code --flag}s.
 * Unknown names are an error, so a typo never silently runs the wrong workload.
 */
public final class Options {
    private static final Set<String> FLAGS = Set.of("binary", "deflate", "deflate-window-bits", "raw");
    private static final Set<String> VALUED = Set.of(
            "url", "connections", "inflight", "size", "warmup", "duration", "server-pid", "threads",
            "n", "per-process", "settle", "concurrency", "source-ip", "label", "receivers", "max-samples",
            "urls", "messages", "warmup-messages", "window", "drain", "cookie", "warm");

    private final Map<String, String> values = new HashMap<>();

    public Options(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("expected --option, got: " + a);
            String name = a.substring(2);
            if (FLAGS.contains(name)) {
                values.put(name, "true");
            } else if (VALUED.contains(name)) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
    }

    public URI url() {
        URI u = URI.create(string("url", "ws://127.0.0.1:8080/echo"));
        if (!"ws".equals(u.getScheme())) throw new IllegalArgumentException("--url must be ws://host:port/path, got " + u);
        if (u.getPort() <= 0) throw new IllegalArgumentException("--url needs an explicit port: " + u);
        return u;
    }

    public String string(String name, String dflt) { return values.getOrDefault(name, dflt); }

    public boolean flag(String name) { return values.containsKey(name); }

    public int integer(String name, int dflt) {
        String v = values.get(name);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a non-negative integer, got " + v);
        }
    }

    public long pid() {
        String v = values.get("server-pid");
        return v == null ? -1 : Long.parseLong(v);
    }

    /** Seconds (fractions allowed) as nanoseconds. */
    public long seconds(String name, double dflt) {
        String v = values.get(name);
        double s = v == null ? dflt : Double.parseDouble(v);
        if (s < 0) throw new IllegalArgumentException("--" + name + " must be >= 0");
        return (long) (s * 1e9);
    }
}
