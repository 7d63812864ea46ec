package io.loomsocket.testing.raw;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A WebSocket frame as seen on the wire (RFC 6455 §5.2), written and read by test code that is
 * deliberately independent of the engine under test: it can write anything, including what the
 * RFC forbids (reserved bits, reserved opcodes, unmasked client frames, oversized control frames,
 * non-minimal lengths), and reads exactly what the peer sent.
 *
 * @param fin     FIN bit
 * @param rsv     the three RSV bits as a number 0..7 (RSV1 = 4, RSV2 = 2, RSV3 = 1)
 * @param opcode  the 4-bit opcode, reserved ones included
 * @param masked  whether the frame carried a masking key
 * @param payload the unmasked payload
 */
public record RawFrame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {

    public static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;

    /** Frames larger than this are refused by {@link #read}, so a broken peer cannot exhaust memory. */
    public static final int MAX_READ_PAYLOAD = 64 << 20;

    /** A fixed masking key, so that test bytes are reproducible (any key is legal, RFC 6455 §5.3). */
    public static final byte[] TEST_MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    public boolean isControl() { return (opcode & 0x8) != 0; }

    public String text() { return new String(payload, StandardCharsets.UTF_8); }

    /** The close code of a close frame, 1005 if it has none (RFC 6455 §7.1.5). */
    public int closeCode() {
        if (opcode != CLOSE) throw new IllegalStateException("not a close frame: " + this);
        return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    public String closeReason() {
        return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
    }

    @Override public boolean equals(Object o) {
        return o instanceof RawFrame f && f.fin == fin && f.rsv == rsv && f.opcode == opcode && f.masked == masked
            && Arrays.equals(f.payload, payload);
    }

    @Override public int hashCode() { return Arrays.hashCode(payload) * 31 + opcode; }

    @Override public String toString() {
        String p = payload.length <= 32 ? HexFormat.of().formatHex(payload)
            : HexFormat.of().formatHex(payload, 0, 32) + "...(" + payload.length + " bytes)";
        return "RawFrame[fin=" + fin + " rsv=" + rsv + " op=0x" + Integer.toHexString(opcode)
            + (masked ? " masked" : "") + " " + p + "]";
    }

    // ---- writing ----

    /** A frame with a minimal length encoding, masked with {@code mask} unless it is null. */
    public static byte[] encode(boolean fin, int rsv, int opcode, byte[] payload, byte[] mask) {
        int len = payload.length;
        int lengthForm = len <= 125 ? 0 : len <= 0xffff ? 126 : 127;
        return encode(fin, rsv, opcode, payload, mask, lengthForm);
    }

    /**
     * A frame with an explicit length form: 0 for the 7-bit length, 126 for 16 bits, 127 for
     * 64 bits, so that non-minimal encodings (RFC 6455 §5.2 "the minimal number of bytes MUST be
     * used") can be sent too.
     */
    public static byte[] encode(boolean fin, int rsv, int opcode, byte[] payload, byte[] mask, int lengthForm) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0xf));
        int maskBit = mask != null ? 0x80 : 0;
        long len = payload.length;
        switch (lengthForm) {
            case 0 -> {
                if (len > 125) throw new IllegalArgumentException("7-bit length cannot hold " + len);
                out.write(maskBit | (int) len);
            }
            case 126 -> {
                if (len > 0xffff) throw new IllegalArgumentException("16-bit length cannot hold " + len);
                out.write(maskBit | 126);
                out.write((int) (len >>> 8));
                out.write((int) len);
            }
            case 127 -> {
                out.write(maskBit | 127);
                for (int shift = 56; shift >= 0; shift -= 8) out.write((int) (len >>> shift));
            }
            default -> throw new IllegalArgumentException("length form " + lengthForm);
        }
        if (mask != null) {
            out.writeBytes(mask);
            out.writeBytes(mask(payload, mask));
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    /** A masked client frame (the normal case for a client, RFC 6455 §5.3). */
    public static byte[] client(boolean fin, int opcode, byte[] payload) {
        return encode(fin, 0, opcode, payload, TEST_MASK);
    }

    public static byte[] clientText(String text) { return client(true, TEXT, text.getBytes(StandardCharsets.UTF_8)); }

    /** An unmasked server frame. */
    public static byte[] server(boolean fin, int opcode, byte[] payload) {
        return encode(fin, 0, opcode, payload, null);
    }

    /** A close frame payload: 2-byte code then the reason bytes (RFC 6455 §5.5.1). */
    public static byte[] closePayload(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }

    public static byte[] closePayload(int code, String reason) {
        return closePayload(code, reason.getBytes(StandardCharsets.UTF_8));
    }

    /** XOR with the 4-byte key (RFC 6455 §5.3); its own inverse. */
    public static byte[] mask(byte[] data, byte[] key) {
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) out[i] = (byte) (data[i] ^ key[i & 3]);
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    // ---- reading ----

    /**
     * Reads one frame; the stream's socket carries the time limit. Throws {@link EOFException}
     * when the stream ends before a frame starts or inside one.
     */
    public static RawFrame read(InputStream in) throws IOException {
        return read(in, null);
    }

    /** Like {@link #read(InputStream)}, and copies the masking key into {@code keyOut} (4 bytes) if there is one. */
    public static RawFrame read(InputStream in, byte[] keyOut) throws IOException {
        int b0 = readByte(in), b1 = readByte(in);
        boolean masked = (b1 & 0x80) != 0;
        long len = b1 & 0x7f;
        if (len == 126) {
            len = (long) readByte(in) << 8 | readByte(in);
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) len = len << 8 | readByte(in);
        }
        if (len < 0 || len > MAX_READ_PAYLOAD) throw new IOException("peer sent a frame of length " + len);
        byte[] key = masked ? in.readNBytes(4) : null;
        if (key != null && key.length < 4) throw new EOFException("inside a masking key");
        if (key != null && keyOut != null) System.arraycopy(key, 0, keyOut, 0, 4);
        byte[] payload = in.readNBytes((int) len);
        if (payload.length < len) throw new EOFException("inside a payload: " + payload.length + " of " + len);
        if (key != null) payload = mask(payload, key);
        return new RawFrame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0xf, masked, payload);
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) throw new EOFException("end of stream");
        return b;
    }
}
