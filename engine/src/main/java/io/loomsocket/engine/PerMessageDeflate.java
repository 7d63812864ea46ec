package io.loomsocket.engine;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The permessage-deflate extension (RFC 7692) of one connection once negotiated: compresses
 * outgoing messages for {@link MessageEncoder} and decompresses incoming ones for
 * {@link MessageAssembler}.
 *
 * <h2>Negotiation (RFC 7692 §7.1)</h2>
 * Done by {@link DeflateParams#negotiateServer} (the server accepts the first valid offer; every
 * window size 8..15 and both no_context_takeover parameters can be honoured) and
 * {@link DeflateParams#clientOffers} / {@link DeflateParams#acceptResponse} (the client offers
 * window bits and follows whatever valid parameters the server answers); the limits come from
 * {@link DeflateConfig}.
 *
 * <h2>Windows and context</h2>
 * {@code java.util.zip} always uses a 15-bit (32 KiB) window, so a smaller negotiated window is
 * honoured here rather than by zlib:
 * <ul>
 * <li>Outgoing, window below 15 bits: the Deflater is borrowed from {@link ZlibPool} per message.
 *     Whenever the bytes it has seen since its last reset plus the next input would exceed the
 *     window, it is reset and given the newest bytes before that input as a preset dictionary
 *     (at most half the window when the input is larger), so no back-reference reaches further
 *     than the window allows (§7.1.2). Each reset costs a sync flush marker in the output (a few
 *     bytes per half window of a large message). With context takeover the last window of sent
 *     bytes is kept in a {@link SlidingWindow} and preset into the next message's Deflater.</li>
 * <li>Outgoing, 15-bit window: with context takeover the connection owns its Deflater; without,
 *     it borrows one per message.</li>
 * <li>Incoming, peer keeps its context with a window below 15 bits: the last 2<sup>bits</sup>
 *     bytes received are kept in a {@link SlidingWindow} and preset into a borrowed Inflater at
 *     the start of each message. For a peer told 8 bits, 512 bytes are kept: zlib rejects raw
 *     DEFLATE with a 256-byte window (zlib.h, {@code deflateInit2}: "a request for 8 will result
 *     in 9" for the zlib format), so a zlib-based peer may compress with 9 bits instead.</li>
 * <li>Incoming, 15-bit window with context takeover: the connection owns its Inflater; without
 *     context takeover it borrows one per message.</li>
 * </ul>
 * So an idle connection holds no zlib state; with context takeover and windows below 15 bits it
 * keeps at most the two window arrays.
 *
 * <h2>Data (RFC 7692 §7.2)</h2>
 * Outgoing: compress with {@code SYNC_FLUSH} and strip the trailing {@code 00 00 ff ff} of the
 * message (§7.2.1); messages shorter than {@link DeflateConfig#threshold()} go uncompressed (RSV1
 * clear). Incoming: append {@code 00 00 ff ff} to the message's last frame and inflate (§7.2.2),
 * in bounded steps so the decompressed size is checked as it grows.
 *
 * <p>Thread-safety: the inbound half (used by the reader) and the outbound half (used by the writer
 * under the connection's write lock) are independent. Call {@link #close()} once, after both
 * directions stopped.
 */
public final class PerMessageDeflate implements AutoCloseable {

    static final byte[] TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};
    private static final byte[] EMPTY = new byte[0];

    /** How many leading bytes of a message {@link #compressMessage} compresses to judge the rest. */
    static final int PROBE_BYTES = 4096;
    /** Messages shorter than this are compressed whole, without a probe. */
    static final int PROBE_MIN_MESSAGE = 2 * PROBE_BYTES;
    /** The probe must save at least 1/16 of its bytes, else the rest of the message is stored. */
    static final int PROBE_MIN_SAVING_DIVISOR = 16;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    /** Assumed compression ratio for the first inflate buffer (text typically deflates 3-10:1). */
    static final int INFLATE_RATIO_GUESS = 8;
    /**
     * Upper bound of the first inflate buffer; bigger messages grow it by doubling. Kept small
     * because a wrong guess costs zeroing: an incompressible 16 KiB frame (stored blocks) would
     * otherwise get a 128 KiB buffer. Measured (ParallelGC, 16 KiB inflated): words 3.3 KiB
     * compressed 30-38 µs from 256 B, 21 µs from 26 KiB; stored 16 KiB 10.5 µs from 256 B, 9 µs
     * with a 64 KiB first buffer, 5.9 µs with 32 KiB.
     */
    static final int INFLATE_FIRST_BUFFER_MAX = 32 * 1024;

    private final Role role;
    private final DeflateParams params;
    private final DeflateConfig config;
    private final boolean inboundTakeover;
    private final boolean outboundTakeover;

    /** Bits of the window our compressor may use: the negotiated limit and {@link DeflateConfig#windowBits()}. */
    private final int outBits;
    /** Bits of the window the peer compresses with (15 when not limited, §7.1.2). */
    private final int inBits;
    /** Outgoing context when {@link #outBits} is below 15, else null. */
    private final SlidingWindow outWindow;
    /** Incoming context when the peer keeps one within fewer than 15 bits, else null. */
    private final SlidingWindow inWindow;

    private Inflater inflater;
    private Deflater deflater;
    /** Bytes the current {@link #deflater} has seen since it was reset, its preset dictionary included. */
    private int fed;
    /** Output of the message being compressed, only during {@link #compressMessage} / {@link #compress}. */
    private byte[] out;
    private boolean closed;

    private PerMessageDeflate(Role role, DeflateParams params, DeflateConfig config) {
        this.role = role;
        this.params = params;
        this.config = config;
        boolean peerNoTakeover = role == Role.SERVER ? params.clientNoContextTakeover() : params.serverNoContextTakeover();
        boolean ownNoTakeover = role == Role.SERVER ? params.serverNoContextTakeover() : params.clientNoContextTakeover();
        this.inboundTakeover = !peerNoTakeover;
        // resetting our compressor is always allowed; keep context only when both agree
        this.outboundTakeover = !ownNoTakeover && config.contextTakeover();
        int ownLimit = role == Role.SERVER ? params.serverMaxWindowBits() : params.clientMaxWindowBits();
        int peerLimit = role == Role.SERVER ? params.clientMaxWindowBits() : params.serverMaxWindowBits();
        this.outBits = Math.min(ownLimit == 0 ? 15 : ownLimit, config.windowBits());
        this.inBits = peerLimit == 0 ? 15 : peerLimit;
        this.outWindow = outBits < 15 ? new SlidingWindow(1 << outBits) : null;
        // a zlib peer told 8 bits compresses with 9 (zlib.h, deflateInit2): keep 512 bytes for it
        this.inWindow = inboundTakeover && inBits < 15 ? new SlidingWindow(1 << Math.max(inBits, 9)) : null;
    }

    /**
     * The extension for one connection.
     *
     * @param role   this endpoint's role
     * @param params what the handshake negotiated ({@link ServerHandshake.Accept#deflate()},
     *               {@link ClientHandshake.Accepted#deflate()})
     * @param config compression level, threshold and pool size
     */
    public static PerMessageDeflate of(Role role, DeflateParams params, DeflateConfig config) {
        if (role == null || params == null || config == null) {
            throw new NullPointerException();
        }
        return new PerMessageDeflate(role, params, config);
    }

    public Role role() {
        return role;
    }

    public DeflateParams params() {
        return params;
    }

    public DeflateConfig config() {
        return config;
    }

    /** True when the peer keeps its LZ77 window across messages, so our Inflater lives as long as the connection. */
    public boolean inboundContextTakeover() {
        return inboundTakeover;
    }

    /** True when we keep our LZ77 window across messages, so our Deflater lives as long as the connection. */
    public boolean outboundContextTakeover() {
        return outboundTakeover;
    }

    /** Bits of the LZ77 window our compressor uses (8..15). */
    public int outboundWindowBits() {
        return outBits;
    }

    /** Bits of the LZ77 window the peer compresses with, as negotiated (8..15). */
    public int inboundWindowBits() {
        return inBits;
    }

    /** Bytes of context kept between messages as heap arrays (both {@link SlidingWindow}s), for memory reports. */
    public int windowBytesHeld() {
        return (outWindow == null ? 0 : outWindow.length()) + (inWindow == null ? 0 : inWindow.length());
    }

    /** True if this connection currently holds any zlib state (false for an idle pooled connection). */
    public boolean holdsZlibState() {
        return inflater != null || deflater != null;
    }

    // ---- inbound (reader thread) ----

    /** The Inflater for the message in progress, borrowed or owned. */
    Inflater inflater() {
        if (closed) {
            throw new IllegalStateException("permessage-deflate closed");
        }
        if (inflater == null) {
            if (ownsInflater()) {
                inflater = new Inflater(true);
            } else {
                inflater = ZlibPool.borrowInflater();
                if (inWindow != null) {
                    inWindow.preset(inflater);
                }
            }
        }
        return inflater;
    }

    /** True when the Inflater lives as long as the connection (context takeover with a 15-bit window). */
    private boolean ownsInflater() {
        return inboundTakeover && inWindow == null;
    }

    /** True when the Deflater lives as long as the connection (context takeover with a 15-bit window). */
    private boolean ownsDeflater() {
        return outboundTakeover && outWindow == null;
    }

    /** A compressed message ended: give pooled state back (everything but an owned Inflater). */
    void endInboundMessage() {
        if (!ownsInflater() && inflater != null) {
            ZlibPool.returnInflater(inflater, config.poolSize());
            inflater = null;
        }
    }

    /**
     * Inflates from {@code inf} (this connection's {@link #inflater()}) into {@code out[off..off+len)},
     * mapping zlib errors to 1002, and keeps what it produced as context when the peer keeps one.
     * Returns the bytes produced.
     */
    int inflate(Inflater inf, byte[] out, int off, int len) {
        int n;
        try {
            n = inf.inflate(out, off, len);
        } catch (DataFormatException e) {
            throw ProtocolException.protocol("invalid permessage-deflate data: " + e.getMessage() + " (RFC 7692 §7.2.2)");
        }
        if (inWindow != null) {
            inWindow.append(out, off, n);
        }
        return n;
    }

    /**
     * The first size of the buffer a whole (not streamed) compressed message is inflated into:
     * {@link #INFLATE_RATIO_GUESS} times its first frame's compressed length, at least 256 bytes,
     * at most {@link #INFLATE_FIRST_BUFFER_MAX} and never more than {@code limit + 1} (the
     * assembler's bomb check needs one byte beyond the limit). It grows by doubling from there,
     * as before; a good guess saves the copies of growing from 256 bytes.
     */
    static int firstInflateBuffer(int compressedLength, long limit) {
        long guess = Math.max(256L, (long) compressedLength * INFLATE_RATIO_GUESS);
        return (int) Math.min(Math.min(guess, INFLATE_FIRST_BUFFER_MAX), Math.min(limit, MAX_ARRAY - 1) + 1);
    }

    // ---- outbound (writer, under the connection's write lock) ----

    /** True if a message of {@code length} bytes should be compressed (at or above the threshold). */
    public boolean shouldCompress(int length) {
        return length >= config.threshold();
    }

    /**
     * Compresses one whole outgoing message, or returns null when it should go uncompressed
     * (RSV1 clear, which RFC 7692 §6 allows for any message). The trailing {@code 00 00 ff ff} is
     * removed (§7.2.1).
     *
     * <p>Incompressible data (random, already compressed) costs zlib about as much CPU as text
     * while saving nothing, so a message of at least {@link #PROBE_MIN_MESSAGE} bytes is probed:
     * its first {@link #PROBE_BYTES} are compressed and flushed on their own, and if that saved less
     * than 1/{@link #PROBE_MIN_SAVING_DIVISOR} of them the rest is written as stored blocks (level
     * 0, a copy). The result is one valid DEFLATE stream either way. Without context takeover the
     * compressor is reset after the message anyway, so such a stored message that came out no
     * smaller than itself is sent uncompressed (null); with context takeover the data is already
     * in the shared LZ77 window, so it must go compressed (§7.2.3.2). Messages below the probe
     * size are always compressed (the threshold alone decides them, as the RFC 7692 §7.2.3
     * examples expect).
     */
    byte[] compressMessage(byte[] data, int off, int len) {
        try {
            return outWindow != null ? compressWithinWindow(data, off, len) : compressWhole(data, off, len);
        } catch (RuntimeException | Error e) {
            // its level or stream state is unknown now: end it rather than pool it
            if (deflater != null) {
                deflater.end();
                deflater = null;
                fed = 0;
            }
            throw e;
        } finally {
            out = null; // never keep a message's output array beyond the call
        }
    }

    private byte[] compressWhole(byte[] data, int off, int len) {
        Deflater d = deflater();
        int level = config.compressionLevel();
        out = new byte[outputBound(len)];
        int n;
        boolean stored = false;
        if (len >= PROBE_MIN_MESSAGE && level != Deflater.NO_COMPRESSION) {
            d.setInput(data, off, PROBE_BYTES);
            n = drain(d, 0);
            stored = n > PROBE_BYTES - PROBE_BYTES / PROBE_MIN_SAVING_DIVISOR;
            if (stored) {
                n = changeLevel(d, Deflater.NO_COMPRESSION, n);
            }
            d.setInput(data, off + PROBE_BYTES, len - PROBE_BYTES);
            n = drain(d, n);
            if (stored) {
                n = changeLevel(d, level, n); // the Deflater (pooled or owned) leaves at the configured level
            }
        } else {
            d.setInput(data, off, len);
            n = drain(d, 0);
        }
        byte[] result = out;
        n = stripTail(result, n);
        endOutboundMessage();
        if (stored && n >= len && !outboundTakeover) {
            return null; // deflate did not pay: send the original bytes, the peer inflates nothing
        }
        return n == result.length ? result : Arrays.copyOf(result, n);
    }

    /**
     * {@link #compressMessage} for a window below 15 bits: no probe, the window decides the chunks.
     * Incompressible data comes out larger than it went in (a flush marker per window reset, block
     * headers): such a message is sent uncompressed (null), and since its bytes then never enter
     * the peer's LZ77 window they do not enter ours either (the kept window is only appended to
     * once the message goes compressed), so both sides' contexts stay the same.
     */
    private byte[] compressWithinWindow(byte[] data, int off, int len) {
        Deflater d = deflater();
        out = new byte[outputBound(len)];
        int n = deflateWithinWindow(d, data, off, len, 0, false);
        byte[] result = out;
        n = stripTail(result, n);
        endOutboundMessage();
        if (len > 0 && n >= len) return null;
        if (outboundTakeover) outWindow.append(data, off, len);
        return n == result.length ? result : Arrays.copyOf(result, n);
    }

    /**
     * Deflates {@code b[off..off+len)} with {@code SYNC_FLUSH} into {@link #out} from {@code n} so
     * that no back-reference reaches further than the {@link #outWindow}'s size (RFC 7692 §7.1.2).
     * While the bytes the Deflater has seen since its reset ({@link #fed}) plus the input fit in the
     * window it simply goes on; otherwise it is reset and preset with the newest bytes before the
     * next chunk (kept context, then this input), the chunk and that dictionary together at most
     * one window, the chunk at least half of one. {@code keep}: append the input to the window
     * afterwards (context takeover, or more pieces of this message to come). Returns the new length.
     */
    private int deflateWithinWindow(Deflater d, byte[] b, int off, int len, int n, boolean keep) {
        int w = outWindow.capacity();
        if (len == 0) {
            d.setInput(EMPTY);
            return drain(d, n);
        }
        int pos = 0;
        do {
            int rest = len - pos;
            int chunk;
            if (fed > 0 && fed + rest <= w) {
                chunk = rest;
            } else {
                int before = outWindow.length() + pos;
                chunk = Math.min(rest, Math.max(w / 2, w - before));
                int dict = Math.min(before, w - chunk);
                if (fed > 0) {
                    d.reset();
                }
                if (dict <= pos) {
                    if (dict > 0) {
                        d.setDictionary(b, off + pos - dict, dict);
                    }
                } else if (pos == 0) {
                    outWindow.preset(d, dict);
                } else {
                    outWindow.preset(d, dict, b, off, pos);
                }
                fed = dict;
            }
            d.setInput(b, off + pos, chunk);
            n = drain(d, n);
            fed += chunk;
            pos += chunk;
        } while (pos < len);
        if (keep) {
            outWindow.append(b, off, len);
        }
        return n;
    }

    /**
     * Compresses one piece of an outgoing fragmented message (RFC 7692 §6.1: the message is one
     * DEFLATE stream split over frames). Returns the compressed bytes; for the final piece the
     * trailing {@code 00 00 ff ff} is removed (RFC 7692 §7.2.1).
     */
    byte[] compress(byte[] data, int off, int len, boolean fin) {
        Deflater d = deflater();
        out = new byte[outputBound(len)];
        int n;
        byte[] result;
        try {
            if (outWindow != null) {
                n = deflateWithinWindow(d, data, off, len, 0, outboundTakeover || !fin);
            } else {
                d.setInput(data, off, len);
                n = drain(d, 0);
            }
            result = out;
        } finally {
            out = null;
        }
        if (fin) {
            n = stripTail(result, n);
            endOutboundMessage();
        }
        return n == result.length ? result : Arrays.copyOf(result, n);
    }

    /** The Deflater for the message in progress, borrowed or owned. */
    private Deflater deflater() {
        if (closed) {
            throw new IllegalStateException("permessage-deflate closed");
        }
        if (deflater == null) {
            deflater = ownsDeflater() ? new Deflater(config.compressionLevel(), true)
                    : ZlibPool.borrowDeflater(config.compressionLevel());
            fed = 0;
        }
        return deflater;
    }

    /** Initial room for {@code len} input bytes compressed (grown if zlib needs more). */
    static int outputBound(int len) {
        return (int) Math.min(MAX_ARRAY, Math.max(64L, len + (len >> 6) + 64L));
    }

    /**
     * Deflates all input set on {@code d} with {@code SYNC_FLUSH} into {@link #out} from {@code n},
     * growing it when full, and returns the new length. It stops only when the input is used up
     * and a call left room in the output (so the flush is complete): one call is not always
     * enough, e.g. the call that applies a level change does only that.
     */
    private int drain(Deflater d, int n) {
        for (int stalls = 0; ; ) {
            int k = d.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
            n += k;
            if (n == out.length) {
                out = Arrays.copyOf(out, (int) Math.min(MAX_ARRAY, out.length * 2L));
            } else if (d.needsInput()) {
                return n;
            } else if (k == 0 && ++stalls > 3) {
                throw new IllegalStateException("Deflater made no progress with input left");
            }
        }
    }

    /**
     * Sets {@code d}'s level at a point where everything so far is flushed. {@code Deflater}
     * applies a new level in its next {@code deflate} call (zlib's {@code deflateParams}); make
     * that call now, with no input, so no message bytes are compressed at the old level. A
     * {@code SYNC_FLUSH} with nothing new to flush produces no bytes, so the stream is unchanged.
     */
    private int changeLevel(Deflater d, int level, int n) {
        d.setLevel(level);
        d.setInput(EMPTY);
        return drain(d, n);
    }

    /**
     * Removes the {@code 00 00 ff ff} that ends a sync-flushed message (RFC 7692 §7.2.1) and
     * returns the new length. When nothing is left (an empty message, or zlib wrote nothing because
     * its last call already flushed), one {@code 0x00} byte is written instead: with the tail the
     * receiver appends it is an empty stored block (§7.2.3.6), whereas the tail alone would start a
     * stored block whose length runs into the next message.
     */
    private static int stripTail(byte[] out, int n) {
        if (n >= 4 && out[n - 4] == 0 && out[n - 3] == 0 && out[n - 2] == (byte) 0xFF && out[n - 1] == (byte) 0xFF) {
            n -= 4;
        }
        if (n == 0) {
            out[0] = 0; // outputBound is at least 64
            return 1;
        }
        return n;
    }

    /** An outgoing message ended (or was abandoned): give pooled state back. */
    void endOutboundMessage() {
        if (!ownsDeflater() && deflater != null) {
            ZlibPool.returnDeflater(deflater, config.compressionLevel(), config.poolSize());
            deflater = null;
            fed = 0;
        }
        if (outWindow != null && !outboundTakeover) {
            outWindow.clear(); // it held this message's earlier pieces only
        }
    }

    /** Releases all zlib state: pooled objects go back to the pool, owned ones are ended. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (inflater != null) {
            if (ownsInflater()) {
                inflater.end();
            } else {
                ZlibPool.returnInflater(inflater, config.poolSize());
            }
            inflater = null;
        }
        if (deflater != null) {
            if (ownsDeflater()) {
                deflater.end();
            } else {
                ZlibPool.returnDeflater(deflater, config.compressionLevel(), config.poolSize());
            }
            deflater = null;
        }
        if (outWindow != null) {
            outWindow.clear();
        }
        if (inWindow != null) {
            inWindow.clear();
        }
    }
}
