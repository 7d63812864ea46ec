package io.loomsocket.engine;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/** Test helpers: hex fixtures and feeding input whole, in halves and one byte at a time. */
final class Hex {
    private Hex() {}

    /** Parses hex with optional spaces and 0x prefixes: "81 05 48" or "0x81 0x05". */
    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replace("0x", "").replaceAll("[\\s,]", ""));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** How input is split before being fed. */
    enum Split {
        WHOLE, HALVES, ONE_BYTE;

        List<byte[]> pieces(byte[] input) {
            List<byte[]> out = new ArrayList<>();
            switch (this) {
                case WHOLE -> out.add(input);
                case HALVES -> {
                    int h = input.length / 2;
                    out.add(java.util.Arrays.copyOfRange(input, 0, h));
                    out.add(java.util.Arrays.copyOfRange(input, h, input.length));
                }
                case ONE_BYTE -> {
                    for (byte b : input) {
                        out.add(new byte[] {b});
                    }
                }
            }
            return out;
        }
    }

    /**
     * Feeds {@code input} split as {@code split} through {@code step}, which consumes from a buffer
     * and returns an item or null when it needs more; like a connection, unconsumed bytes are kept
     * and the next piece appended. Returns every item produced.
     */
    static <T> List<T> feed(byte[] input, Split split, Function<ByteBuffer, T> step) {
        List<T> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(input.length + 16);
        for (byte[] piece : split.pieces(input)) {
            buf.put(piece);
            buf.flip();
            for (T t; (t = step.apply(buf)) != null; ) {
                out.add(t);
            }
            buf.compact();
        }
        return out;
    }
}
