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
 * <ul>
 * <li>Server: offers are tried in order; the first valid one it can honour is accepted. Offers with
 *     unknown or duplicate parameters or invalid values (window bits outside 8..15, leading
 *     zeros) are declined (§7). {@code java.util.zip.Deflater} always uses a 15-bit window, so an
 *     offer with {@code server_max_window_bits} below 15 is <b>declined</b> and the next offer is
 *     considered (§7.1.2.1 lets a server decline). {@code client_max_window_bits} in an offer is
 *     fine: an Inflater with a 15-bit window decodes streams made with any smaller window, so the
 *     server does not answer with a limit.</li>
 * <li>Client: it offers {@code server_no_context_takeover; client_no_context_takeover}, then
 *     {@code client_no_context_takeover} alone for servers that will not drop their context (the
 *     client then keeps one Inflater for the connection), and never includes
 *     {@code client_max_window_bits}, because its
 *     Deflater could not honour a limit below 15 that the server might then impose (§7.1.2.2).
 *     Any {@code server_max_window_bits} in the response is accepted (the 15-bit Inflater reads
 *     it); {@code client_max_window_bits} or unknown/duplicate/invalid parameters in the response
 *     fail the handshake.</li>
 * <li>By default ({@link DeflateConfig#contextTakeover()} false) the server answers with
 *     {@code server_no_context_takeover; client_no_context_takeover} and the client offers both,
 *     so zlib state is borrowed from {@link ZlibPool} for the duration of one message and an idle
 *     connection holds none. With context takeover the connection owns its Deflater/Inflater
 *     until {@link #close()}.</li>
 * </ul>
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

    private final Role role;
    private final DeflateParams params;
    private final DeflateConfig config;
    private final boolean inboundTakeover;
    private final boolean outboundTakeover;

    private Inflater inflater;
    private Deflater deflater;
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
            inflater = inboundTakeover ? new Inflater(true) : ZlibPool.borrowInflater();
        }
        return inflater;
    }

    /** A compressed message ended: give pooled state back (no context takeover). */
    void endInboundMessage() {
        if (!inboundTakeover && inflater != null) {
            ZlibPool.returnInflater(inflater, config.poolSize());
            inflater = null;
        }
    }

    /**
     * Inflates from {@code inf} into {@code out[off..off+len)}, mapping zlib errors to 1002.
     * Returns the bytes produced.
     */
    static int inflate(Inflater inf, byte[] out, int off, int len) {
        try {
            return inf.inflate(out, off, len);
        } catch (DataFormatException e) {
            throw ProtocolException.protocol("invalid permessage-deflate data: " + e.getMessage() + " (RFC 7692 §7.2.2)");
        }
    }

    // ---- outbound (writer, under the connection's write lock) ----

    /** True if a message of {@code length} bytes should be compressed (at or above the threshold). */
    public boolean shouldCompress(int length) {
        return length >= config.threshold();
    }

    /**
     * Compresses one piece of an outgoing message (a whole message is one piece with
     * {@code fin}). Returns the compressed bytes; for the final piece the trailing
     * {@code 00 00 ff ff} is removed (RFC 7692 §7.2.1).
     */
    byte[] compress(byte[] data, int off, int len, boolean fin) {
        if (closed) {
            throw new IllegalStateException("permessage-deflate closed");
        }
        if (deflater == null) {
            deflater = outboundTakeover ? new Deflater(config.compressionLevel(), true)
                    : ZlibPool.borrowDeflater(config.compressionLevel());
        }
        Deflater d = deflater;
        d.setInput(data, off, len);
        byte[] out = new byte[Math.max(64, len + (len >> 6) + 32)];
        int n = 0;
        for (;;) {
            n += d.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
            if (n < out.length) {
                break; // SYNC_FLUSH filled less than the room given: all input consumed and flushed
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        if (fin) {
            if (n >= 4 && out[n - 4] == 0 && out[n - 3] == 0 && out[n - 2] == (byte) 0xFF && out[n - 1] == (byte) 0xFF) {
                n -= 4;
            }
            endOutboundMessage();
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** An outgoing message ended (or was abandoned): give pooled state back. */
    void endOutboundMessage() {
        if (!outboundTakeover && deflater != null) {
            ZlibPool.returnDeflater(deflater, config.compressionLevel(), config.poolSize());
            deflater = null;
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
            if (inboundTakeover) {
                inflater.end();
            } else {
                ZlibPool.returnInflater(inflater, config.poolSize());
            }
            inflater = null;
        }
        if (deflater != null) {
            if (outboundTakeover) {
                deflater.end();
            } else {
                ZlibPool.returnDeflater(deflater, config.compressionLevel(), config.poolSize());
            }
            deflater = null;
        }
    }
}
