package io.loomsocket.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Incremental UTF-8 validator (RFC 3629 §4, as RFC 6455 §8.1 requires for text): a table-driven
 * DFA in the style of Björn Höhrmann's decoder (a byte-class table and a state transition table),
 * with an ASCII fast path that checks eight bytes at a time while the DFA is between code points.
 *
 * <p>It rejects overlong forms, surrogates (U+D800..U+DFFF) and code points above U+10FFFF, and it
 * fails at the first byte that can no longer start or continue a valid sequence, so a text
 * message split over fragments fails as soon as the bad byte arrives (Autobahn case 6.4), not at
 * the end of the message.
 *
 * <p>Not thread-safe; one instance per message stream, {@link #reset()} between messages.
 */
public final class Utf8Validator {

    static final int ACCEPT = 0;
    static final int REJECT = 8;

    /** Byte → class. Classes: 0 ASCII, 1 80-8F, 2 90-9F, 3 A0-BF, 4 never valid (C0 C1 F5-FF),
     *  5 C2-DF, 6 E0, 7 E1-EC EE EF, 8 ED, 9 F0, 10 F1-F3, 11 F4. */
    private static final byte[] CLASS = new byte[256];
    /** state * 12 + class → next state. States: 0 accept, 1 need one 80-BF, 2 need two 80-BF,
     *  3 after E0 (A0-BF then one), 4 after ED (80-9F then one), 5 need three 80-BF,
     *  6 after F0 (90-BF then two), 7 after F4 (80-8F then two), 8 reject (sticky). */
    private static final byte[] NEXT = new byte[9 * 12];

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    static {
        for (int b = 0; b < 256; b++) {
            int c;
            if (b < 0x80) c = 0;
            else if (b < 0x90) c = 1;
            else if (b < 0xA0) c = 2;
            else if (b < 0xC0) c = 3;
            else if (b < 0xC2) c = 4;
            else if (b < 0xE0) c = 5;
            else if (b == 0xE0) c = 6;
            else if (b == 0xED) c = 8;
            else if (b < 0xF0) c = 7;
            else if (b == 0xF0) c = 9;
            else if (b < 0xF4) c = 10;
            else if (b == 0xF4) c = 11;
            else c = 4;
            CLASS[b] = (byte) c;
        }
        java.util.Arrays.fill(NEXT, (byte) REJECT);
        // from ACCEPT: the lead byte decides what must follow
        set(ACCEPT, 0, ACCEPT);
        set(ACCEPT, 5, 1);
        set(ACCEPT, 6, 3);
        set(ACCEPT, 7, 2);
        set(ACCEPT, 8, 4);
        set(ACCEPT, 9, 6);
        set(ACCEPT, 10, 5);
        set(ACCEPT, 11, 7);
        for (int cont = 1; cont <= 3; cont++) { // any continuation byte 80-BF
            set(1, cont, ACCEPT);
            set(2, cont, 1);
            set(5, cont, 2);
        }
        set(3, 3, 1);                 // E0 A0-BF: no overlong 3-byte forms
        set(4, 1, 1);                 // ED 80-9F: no surrogates
        set(4, 2, 1);
        set(6, 2, 2);                 // F0 90-BF: no overlong 4-byte forms
        set(6, 3, 2);
        set(7, 1, 2);                 // F4 80-8F: nothing above U+10FFFF
    }

    private static void set(int state, int cls, int next) {
        NEXT[state * 12 + cls] = (byte) next;
    }

    private int state = ACCEPT;
    /** Bytes of the current incomplete code point seen so far (0 when between code points), updated per call. */
    private int tail;

    public Utf8Validator() {}

    /**
     * Feeds {@code len} bytes. Returns -1 if everything so far is valid UTF-8 (possibly ending in
     * the middle of a code point), or the index in {@code b} of the first invalid byte. After a
     * failure every later call fails at its first byte until {@link #reset()}.
     */
    public int update(byte[] b, int off, int len) {
        int s = state;
        int i = off;
        int end = off + len;
        if (s == REJECT) {
            return len == 0 ? -1 : off;
        }
        while (i < end) {
            if (s == ACCEPT) {
                // fast path between code points: skip ASCII eight bytes at a time, then one at a time
                while (i + 8 <= end && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                    i += 8;
                }
                while (i < end && b[i] >= 0) {
                    i++;
                }
                if (i == end) {
                    break;
                }
            }
            s = NEXT[s * 12 + CLASS[b[i] & 0xFF]];
            if (s == REJECT) {
                state = REJECT;
                tail = 0;
                return i;
            }
            i++;
        }
        state = s;
        tail = s == ACCEPT ? 0 : tailAfter(b, off, end);
        return -1;
    }

    /** Bytes of the unfinished code point at the end of valid input that ends mid-sequence. */
    private int tailAfter(byte[] b, int off, int end) {
        int k = end;
        while (k > off && (b[k - 1] & 0xC0) == 0x80) {
            k--;
        }
        if (k > off) {
            return end - k + 1; // b[k-1] is the lead byte of the unfinished sequence
        }
        return tail + (end - off); // the whole input continued the sequence started earlier
    }

    /** True when the bytes fed so far end on a code point boundary (a text message may end here). */
    public boolean isComplete() {
        return state == ACCEPT;
    }

    /** True once an invalid byte was seen. */
    public boolean isFailed() {
        return state == REJECT;
    }

    /** How many bytes at the end of the input so far belong to an unfinished code point (0..3). */
    public int incompleteTail() {
        return tail;
    }

    /** Starts over, for the next message. */
    public void reset() {
        state = ACCEPT;
        tail = 0;
    }

    /** True if {@code b[off..off+len)} is complete, valid UTF-8. */
    public static boolean isValid(byte[] b, int off, int len) {
        Utf8Validator v = new Utf8Validator();
        return v.update(b, off, len) < 0 && v.isComplete();
    }

    /** True if {@code b} is complete, valid UTF-8. */
    public static boolean isValid(byte[] b) {
        return isValid(b, 0, b.length);
    }
}
