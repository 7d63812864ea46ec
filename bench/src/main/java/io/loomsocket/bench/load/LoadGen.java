package io.loomsocket.bench.load;

import java.util.Locale;

/**
 * The load generator's entry point. One workload per process run:
 * <pre>
 *   echo       --url U [--connections 64] [--inflight 16] [--size 64] [--binary] [--deflate] [--raw]
 *              [--deflate-window-bits] (with --deflate: also offer client_max_window_bits)
 *              [--warmup 10] [--duration 10] [--server-pid PID] [--threads N]
 *   latency    like echo with --inflight 1 (--connections 32 by default)
 *   idle       --url U --server-pid PID [--n 10000] [--per-process 18000] [--settle 3] [--warm BYTES]
 *   handshake  --url U [--concurrency 16] [--warmup 5] [--duration 10]
 *   fanout     --url U [--receivers 1000] [--size 64]
 *   chat-fanout --urls U1[,U2] [--receivers 1000] [--messages 1000] [--warmup-messages 200]
 *              [--window 1] [--size 64] [--drain 10] [--cookie "sessionid=..."]
 * </pre>
 * It prints a human-readable summary and one {@code RESULT key=value ...} line; it exits 1
 * when the workload could not run, 2 on bad arguments.
 */
public final class LoadGen {
    private LoadGen() {}

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        if (args.length == 0) {
            System.err.println("usage: LoadGen echo|latency|idle|handshake|fanout|chat-fanout --url ws://127.0.0.1:PORT/echo [options]");
            System.exit(2);
        }
        Options options;
        try {
            options = new Options(args, 1);
            options.url();
        } catch (IllegalArgumentException e) {
            System.err.println("LoadGen: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            Result r = switch (args[0]) {
                case "echo" -> new EchoWorkload(options, 16).run("echo");
                case "latency" -> new EchoWorkload(withDefault(args, "--connections", "32"), 1).run("latency");
                case "idle" -> new IdleWorkload(options).run();
                case "idle-child" -> {
                    new IdleWorkload(options).runChild();
                    yield null;
                }
                case "handshake" -> new HandshakeWorkload(options).run();
                case "fanout" -> new FanOutWorkload(options).run();
                case "chat-fanout" -> new ChatFanOutWorkload(options).run();
                default -> throw new IllegalArgumentException("unknown workload " + args[0]);
            };
            if (r != null) System.out.println(r.line());
            System.exit(0);
        } catch (IllegalArgumentException e) {
            System.err.println("LoadGen: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("LoadGen " + args[0] + " failed: " + e);
            System.exit(1);
        }
    }

    private static Options withDefault(String[] args, String name, String value) {
        for (String a : args) if (a.equals(name)) return new Options(args, 1);
        String[] more = new String[args.length + 2];
        System.arraycopy(args, 0, more, 0, args.length);
        more[args.length] = name;
        more[args.length + 1] = value;
        return new Options(more, 1);
    }
}
