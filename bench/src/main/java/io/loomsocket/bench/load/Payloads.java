package io.loomsocket.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Message bodies: deterministic ASCII words (seed 42), so text frames are valid UTF-8 and
 * permessage-deflate meets realistic, compressible data (about 3:1), the same for every server.
 */
public final class Payloads {
    private static final String[] WORDS = {
        "loom", "socket", "frame", "echo", "virtual", "thread", "message", "deflate", "netty", "jetty",
        "{\"id\":", "\"type\":\"chat\"", "\"room\":\"lobby\"", "the", "of", "and", "to", "a", "in", "is",
        "benchmark", "latency", "throughput", "42", "1700000000", "true", "false", "null", "user", "hello"};

    private Payloads() {}

    public static byte[] of(int size) {
        SplittableRandom random = new SplittableRandom(42);
        StringBuilder sb = new StringBuilder(size + 32);
        while (sb.length() < size) {
            sb.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        byte[] bytes = sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
        if (bytes.length != size) throw new AssertionError("payload size " + bytes.length + " != " + size);
        return bytes;
    }
}
