package io.loomsocket.engine;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A test-only RFC 1951 decoder (after zlib's puff.c) that fails on any back-reference further than
 * {@code window} bytes, which zlib's inflate does not check within one call's output. Keeps the last
 * {@code window} bytes of output between messages, as a peer with that window and context takeover
 * does (RFC 7692 §7.2.3).
 */
final class StrictInflater {

    private static final short[] LBASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
        67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final short[] LEXT = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    private static final int[] DBASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
        1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final short[] DEXT = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
        12, 12, 13, 13};
    private static final int[] ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    private final int window;
    private byte[] history = new byte[0];
    /** Largest distance seen so far. */
    int maxDistance;

    StrictInflater(int window) {
        this.window = window;
    }

    /** Decodes one message's payload (RFC 7692 §7.2.2: the 00 00 ff ff tail is appended here). */
    byte[] inflate(byte[] payload, boolean keepContext) {
        byte[] in = Arrays.copyOf(payload, payload.length + 4);
        in[payload.length + 2] = (byte) 0xFF;
        in[payload.length + 3] = (byte) 0xFF;
        State s = new State(in, history);
        s.run();
        byte[] all = s.out.toByteArray();
        byte[] msg = Arrays.copyOfRange(all, history.length, all.length);
        history = keepContext ? Arrays.copyOfRange(all, Math.max(0, all.length - window), all.length) : new byte[0];
        return msg;
    }

    private final class State {
        final byte[] in;
        int pos;
        int bitBuf;
        int bitCnt;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] outArr = new byte[0];
        int outLen;

        State(byte[] in, byte[] history) {
            this.in = in;
            outArr = Arrays.copyOf(history, Math.max(64, history.length * 2));
            outLen = history.length;
        }

        int bits(int need) {
            long val = bitBuf;
            while (bitCnt < need) {
                if (pos >= in.length) {
                    throw new IllegalStateException("input ended");
                }
                val |= (long) (in[pos++] & 0xFF) << bitCnt;
                bitCnt += 8;
            }
            bitBuf = (int) (val >> need);
            bitCnt -= need;
            return (int) (val & ((1L << need) - 1));
        }

        void put(int b) {
            if (outLen == outArr.length) {
                outArr = Arrays.copyOf(outArr, outArr.length * 2);
            }
            outArr[outLen++] = (byte) b;
        }

        void run() {
            // the stream ends at the sync-flush tail: an empty stored block at the end of input
            while (pos < in.length) {
                int last = bits(1);
                int type = bits(2);
                if (type == 0) {
                    bitBuf = 0;
                    bitCnt = 0;
                    int len = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8;
                    pos += 4;
                    for (int i = 0; i < len; i++) {
                        put(in[pos++]);
                    }
                } else if (type == 1) {
                    codes(FIXED_L, FIXED_D);
                } else if (type == 2) {
                    dynamic();
                } else {
                    throw new IllegalStateException("invalid block type");
                }
                if (last == 1) {
                    break;
                }
            }
            out.write(outArr, 0, outLen);
        }

        void dynamic() {
            int nlen = bits(5) + 257;
            int ndist = bits(5) + 1;
            int ncode = bits(4) + 4;
            short[] lengths = new short[320];
            for (int i = 0; i < ncode; i++) {
                lengths[ORDER[i]] = (short) bits(3);
            }
            Huffman lencode = new Huffman(lengths, 0, 19);
            int index = 0;
            short[] l = new short[nlen + ndist];
            while (index < nlen + ndist) {
                int sym = decode(lencode);
                if (sym < 16) {
                    l[index++] = (short) sym;
                } else {
                    int len = 0;
                    int rep;
                    if (sym == 16) {
                        len = l[index - 1];
                        rep = 3 + bits(2);
                    } else if (sym == 17) {
                        rep = 3 + bits(3);
                    } else {
                        rep = 11 + bits(7);
                    }
                    while (rep-- > 0) {
                        l[index++] = (short) len;
                    }
                }
            }
            codes(new Huffman(l, 0, nlen), new Huffman(l, nlen, ndist));
        }

        void codes(Huffman lc, Huffman dc) {
            for (;;) {
                int sym = decode(lc);
                if (sym < 256) {
                    put(sym);
                } else if (sym == 256) {
                    return;
                } else {
                    sym -= 257;
                    int len = LBASE[sym] + bits(LEXT[sym]);
                    int ds = decode(dc);
                    int dist = DBASE[ds] + bits(DEXT[ds]);
                    maxDistance = Math.max(maxDistance, dist);
                    if (dist > window) {
                        throw new IllegalStateException("distance " + dist + " beyond the " + window + "-byte window");
                    }
                    if (dist > outLen) {
                        throw new IllegalStateException("distance " + dist + " before the start of the data");
                    }
                    for (int i = 0; i < len; i++) {
                        put(outArr[outLen - dist]);
                    }
                }
            }
        }

        int decode(Huffman h) {
            int code = 0;
            int first = 0;
            int index = 0;
            for (int len = 1; len <= 15; len++) {
                code |= bits(1);
                int count = h.count[len];
                if (code - count < first) {
                    return h.symbol[index + (code - first)];
                }
                index += count;
                first += count;
                first <<= 1;
                code <<= 1;
            }
            throw new IllegalStateException("invalid Huffman code");
        }
    }

    private static final class Huffman {
        final short[] count = new short[16];
        final short[] symbol;

        Huffman(short[] lengths, int off, int n) {
            symbol = new short[n];
            for (int i = 0; i < n; i++) {
                count[lengths[off + i]]++;
            }
            short[] offs = new short[16];
            for (int len = 1; len < 15; len++) {
                offs[len + 1] = (short) (offs[len] + count[len]);
            }
            for (int i = 0; i < n; i++) {
                if (lengths[off + i] != 0) {
                    symbol[offs[lengths[off + i]]++] = (short) i;
                }
            }
        }
    }

    private static final Huffman FIXED_L;
    private static final Huffman FIXED_D;

    static {
        short[] l = new short[288];
        for (int i = 0; i < 144; i++) l[i] = 8;
        for (int i = 144; i < 256; i++) l[i] = 9;
        for (int i = 256; i < 280; i++) l[i] = 7;
        for (int i = 280; i < 288; i++) l[i] = 8;
        FIXED_L = new Huffman(l, 0, 288);
        short[] d = new short[30];
        Arrays.fill(d, (short) 5);
        FIXED_D = new Huffman(d, 0, 30);
    }
}
