package io.loomsocket.bench.peers;

/** The two arguments every peer echo server takes: {@code --port N} and {@code --deflate}. */
record PeerArgs(int port, boolean deflate) {
    static PeerArgs parse(String name, String[] args) {
        int port = 8080;
        boolean deflate = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> {
                    if (i + 1 >= args.length) usage(name, "--port needs a value");
                    try {
                        port = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        usage(name, "--port must be a number");
                    }
                }
                case "--deflate" -> deflate = true;
                default -> usage(name, "unknown argument " + args[i]);
            }
        }
        return new PeerArgs(port, deflate);
    }

    private static void usage(String name, String why) {
        System.err.println(name + ": " + why + "; usage: " + name + " [--port N] [--deflate]");
        System.exit(2);
    }

    /** bench/run.sh waits for this line before it starts the load. */
    static void announce(String name, int port) {
        System.out.println("LISTENING " + name + " 127.0.0.1:" + port + " pid " + ProcessHandle.current().pid());
        System.out.flush();
    }
}
