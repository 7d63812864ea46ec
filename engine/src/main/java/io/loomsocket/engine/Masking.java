package io.loomsocket.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The XOR masking of RFC 6455 §5.3, eight bytes at a time. A key is the 32-bit big-endian value of
 * the four masking bytes; {@code keyPos} is the offset of the first byte within the frame's
 * payload (only {@code keyPos & 3} matters), so a payload can be (un)masked in pieces.
 */
final class Masking {
    private static final VarHandle LONGS_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Masking() {}

    /** The key rotated so that its first byte applies to payload position {@code keyPos}. */
    static int rotate(int key, long keyPos) {
        return Integer.rotateLeft(key, 8 * (int) (keyPos & 3));
    }

    /** XORs {@code b[from..to)} in place; {@code keyPos} is the payload position of {@code b[from]}. */
    static void mask(byte[] b, int from, int to, int key, long keyPos) {
        int k = rotate(key, keyPos);
        long m = ((long) k << 32) | (k & 0xFFFFFFFFL);
        int i = from;
        for (int end8 = to - 7; i < end8; i += 8) {
            LONGS_BE.set(b, i, (long) LONGS_BE.get(b, i) ^ m);
        }
        for (int j = 0; i < to; i++, j++) {
            b[i] ^= (byte) (k >>> (24 - 8 * (j & 3)));
        }
    }

    /**
     * Copies {@code src[off..off+len)} to {@code dst[dstOff..)} XOR-ing the key on the way, in one
     * pass (no copy-then-mask); {@code keyPos} is the payload position of {@code src[off]}.
     * The arrays may be the same only if the ranges are identical.
     */
    static void maskCopy(byte[] src, int off, byte[] dst, int dstOff, int len, int key, long keyPos) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        java.util.Objects.checkFromIndexSize(dstOff, len, dst.length);
        int k = rotate(key, keyPos);
        long m = ((long) k << 32) | (k & 0xFFFFFFFFL);
        int i = 0;
        for (int end8 = len - 7; i < end8; i += 8) {
            LONGS_BE.set(dst, dstOff + i, (long) LONGS_BE.get(src, off + i) ^ m);
        }
        for (int j = 0; i < len; i++, j++) {
            dst[dstOff + i] = (byte) (src[off + i] ^ (k >>> (24 - 8 * (j & 3))));
        }
    }

    /**
     * Copies {@code len} bytes of {@code src} into {@code dst} (at its position, which advances),
     * masking them on the way; {@code keyPos} is the payload position of {@code src[off]}.
     */
    static void maskInto(byte[] src, int off, ByteBuffer dst, int len, int key, long keyPos) {
        if (dst.hasArray() && !dst.isReadOnly()) {
            maskCopy(src, off, dst.array(), dst.arrayOffset() + dst.position(), len, key, keyPos);
            dst.position(dst.position() + len);
            return;
        }
        int k = rotate(key, keyPos);
        long m = ((long) k << 32) | (k & 0xFFFFFFFFL);
        ByteOrder order = dst.order();
        dst.order(ByteOrder.BIG_ENDIAN);
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            dst.putLong((long) LONGS_BE.get(src, off + i) ^ m);
        }
        for (int j = 0; i < len; i++, j++) {
            dst.put((byte) (src[off + i] ^ (k >>> (24 - 8 * (j & 3)))));
        }
        dst.order(order);
    }
}
