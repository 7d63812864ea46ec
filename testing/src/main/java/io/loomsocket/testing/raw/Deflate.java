package io.loomsocket.testing.raw;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * permessage-deflate payloads made and read with java.util.zip, independently of the engine
 * under test (RFC 7692 §7.2): raw DEFLATE, each message ended by an empty stored block whose
 * last four bytes {@code 00 00 ff ff} are removed by the sender and appended by the receiver.
 * An instance keeps its LZ77 window across messages (context takeover) unless {@link #reset()}.
 */
public final class Deflate {

    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
    /** Largest message this helper inflates, so that a decompression bomb cannot exhaust memory. */
    public static final int MAX_INFLATED = 16 << 20;

    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final Inflater inflater = new Inflater(true);

    /** Compresses one message; the result is the payload of an RSV1 frame (§7.2.1). */
    public byte[] compress(byte[] message) {
        deflater.setInput(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) out.write(buf, 0, n);
        byte[] all = out.toByteArray();
        if (all.length < 4 || !Arrays.equals(all, all.length - 4, all.length, TAIL, 0, 4)) {
            throw new IllegalStateException("SYNC_FLUSH output does not end with 00 00 ff ff");
        }
        return Arrays.copyOf(all, all.length - 4);
    }

    /** Decompresses one message payload (§7.2.2). */
    public byte[] decompress(byte[] payload) throws DataFormatException {
        inflater.setInput(RawFrame.concat(payload, TAIL));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            int n = inflater.inflate(buf);
            if (n > 0) out.write(buf, 0, n);
            if (out.size() > MAX_INFLATED) throw new DataFormatException("inflates beyond " + MAX_INFLATED);
            if (n == 0 && (inflater.needsInput() || inflater.finished())) break;
            if (n == 0 && inflater.needsDictionary()) throw new DataFormatException("needs a dictionary");
        }
        return out.toByteArray();
    }

    /** Forgets the window (no context takeover, §7.1.1). */
    public void reset() {
        deflater.reset();
        inflater.reset();
    }

    /** Compresses with a fresh window. */
    public static byte[] compressOnce(byte[] message) {
        Deflate d = new Deflate();
        try {
            return d.compress(message);
        } finally {
            d.end();
        }
    }

    public static byte[] decompressOnce(byte[] payload) throws DataFormatException {
        Deflate d = new Deflate();
        try {
            return d.decompress(payload);
        } finally {
            d.end();
        }
    }

    public void end() {
        deflater.end();
        inflater.end();
    }
}
