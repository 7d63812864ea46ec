package io.loomsocket.engine;

import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The last {@code capacity} bytes of one direction's uncompressed data: the LZ77 context that
 * permessage-deflate keeps between messages (RFC 7692 §7.2.3) when it is smaller than zlib's own
 * 32 KiB window. The connection keeps only this array; the zlib object that uses it is borrowed
 * per message and given these bytes as a preset dictionary ({@link #preset(Deflater, int)},
 * {@link #preset(Inflater)}). The array is allocated when the first byte arrives. Not thread-safe:
 * each direction has its own.
 */
final class SlidingWindow {

    private final int capacity;
    private byte[] bytes;
    private int length;

    SlidingWindow(int capacity) {
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** Bytes held now, at most {@link #capacity()}. */
    int length() {
        return length;
    }

    /** Appends {@code b[off..off+len)}, dropping the oldest bytes beyond the capacity. */
    void append(byte[] b, int off, int len) {
        if (len <= 0) {
            return;
        }
        if (bytes == null) {
            bytes = new byte[capacity];
        }
        if (len >= capacity) {
            System.arraycopy(b, off + len - capacity, bytes, 0, capacity);
            length = capacity;
            return;
        }
        int keep = Math.min(length, capacity - len);
        if (keep > 0 && length != keep) {
            System.arraycopy(bytes, length - keep, bytes, 0, keep);
        }
        System.arraycopy(b, off, bytes, keep, len);
        length = keep + len;
    }

    /** Gives {@code d} (fresh or reset) the newest {@code n <= length()} bytes as its preset dictionary. */
    void preset(Deflater d, int n) {
        if (n > 0) {
            d.setDictionary(bytes, length - n, n);
        }
    }

    /**
     * Gives the newest {@code n} bytes of this window followed by {@code b[off..off+k)} to {@code d}
     * as its preset dictionary, {@code k < n <= length() + k}.
     */
    void preset(Deflater d, int n, byte[] b, int off, int k) {
        byte[] dict = new byte[n];
        int fromWindow = n - k;
        System.arraycopy(bytes, length - fromWindow, dict, 0, fromWindow);
        System.arraycopy(b, off, dict, fromWindow, k);
        d.setDictionary(dict);
    }

    /** Gives {@code inf} (fresh or reset, raw) everything held as its window, so references into it resolve. */
    void preset(Inflater inf) {
        if (length > 0) {
            inf.setDictionary(bytes, 0, length);
        }
    }

    /** Forgets everything and releases the array. */
    void clear() {
        bytes = null;
        length = 0;
    }
}
