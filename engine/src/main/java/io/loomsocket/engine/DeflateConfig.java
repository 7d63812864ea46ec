package io.loomsocket.engine;

import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692) settings, immutable.
 *
 * <p><b>Memory.</b> A {@code java.util.zip.Deflater} holds about 256 KiB of zlib state at the
 * default level and an {@code Inflater} about 40 KiB. With {@code contextTakeover == false} (the
 * default) the server answers every offer with {@code server_no_context_takeover} and
 * {@code client_no_context_takeover} (RFC 7692 §7.1.1.1 and §7.1.1.2 let it), and the client
 * offers both; then each message is compressed and decompressed on its own, zlib state is borrowed
 * from a JVM-wide pool of at most {@link #poolSize} idle objects for the duration of one message,
 * and an idle connection holds no zlib state at all. With {@code contextTakeover == true} the
 * connection owns a Deflater and an Inflater for its whole life (better ratio on chatty streams
 * of similar messages, ~300 KiB per connection); they are released by
 * {@link PerMessageDeflate#close()}.
 *
 * <p><b>Window bits.</b> {@code Deflater} always uses a 15-bit window; see {@link PerMessageDeflate}
 * for how offers that need smaller windows are handled.
 *
 * <p><b>Level.</b> The default is zlib level 1, not zlib's own default 6: without context takeover
 * every message is compressed from an empty window, where levels 4-9 spend most of their time
 * walking hash chains. Measured on 16 KiB messages (bench payload of words / JSON / English text;
 * issue 6): level 1 takes 70 / 32 / 178 µs and gives 4049 / 1733 /
 * 6815 bytes, level 6 takes 424 / 131 / 624 µs for 3338 / 1311 / 5989 bytes: 3.5-6× the CPU for
 * 12-25 % fewer bytes. The level is not negotiated (RFC 7692 leaves it to the compressor).
 *
 * <p><b>Peer context.</b> {@code peerContextTakeover} (server side, default false) stops the server
 * from adding {@code client_no_context_takeover} to its answer when the client did not offer it
 * (RFC 7692 §7.1.1.2 makes that parameter optional for the server). The client may then keep its
 * LZ77 window, which makes its compressor much cheaper and its messages smaller, and this server
 * keeps one {@code Inflater} per connection from the first compressed message it receives until
 * {@link PerMessageDeflate#close()} (about 40 KiB native: zlib's 32 KiB window plus its state),
 * instead of borrowing one from the pool per message. Clients ignore it.
 *
 * @param enabled             negotiate permessage-deflate at all (server: accept offers; client: make one)
 * @param contextTakeover     keep the LZ77 window across messages in both directions (see above); default false
 * @param compressionLevel    zlib level 0-9 for outgoing messages; default 1 (see above)
 * @param threshold           messages shorter than this many bytes are sent uncompressed (RSV1 clear, RFC 7692
 *                            §6 allows it per message); default 128
 * @param poolSize            how many idle Deflaters (per level) and Inflaters the JVM-wide pool keeps; default 64
 * @param peerContextTakeover server: let the client keep its compression context unless it offered not to
 *                            (see above); default false
 */
public record DeflateConfig(boolean enabled, boolean contextTakeover, int compressionLevel, int threshold, int poolSize,
                            boolean peerContextTakeover) {

    /** The default level: see the class comment for why it is 1. */
    public static final int DEFAULT_LEVEL = 1;

    /** Compression on, no context takeover (pooled zlib state), level 1, threshold 128, pool 64. */
    public static final DeflateConfig DEFAULT = new DeflateConfig(true, false, DEFAULT_LEVEL, 128, 64, false);

    /** Compression off: the server declines every offer, the client makes none. */
    public static final DeflateConfig DISABLED = new DeflateConfig(false, false, DEFAULT_LEVEL, 128, 64, false);

    /** The settings before {@code peerContextTakeover} existed (it is then false). */
    public DeflateConfig(boolean enabled, boolean contextTakeover, int compressionLevel, int threshold, int poolSize) {
        this(enabled, contextTakeover, compressionLevel, threshold, poolSize, false);
    }

    public DeflateConfig {
        if (compressionLevel == Deflater.DEFAULT_COMPRESSION) {
            compressionLevel = 6;
        }
        if (compressionLevel < 0 || compressionLevel > 9) {
            throw new IllegalArgumentException("compressionLevel must be 0..9: " + compressionLevel);
        }
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold must be >= 0: " + threshold);
        }
        if (poolSize < 0) {
            throw new IllegalArgumentException("poolSize must be >= 0: " + poolSize);
        }
    }

    public DeflateConfig withEnabled(boolean v) {
        return new DeflateConfig(v, contextTakeover, compressionLevel, threshold, poolSize, peerContextTakeover);
    }

    public DeflateConfig withContextTakeover(boolean v) {
        return new DeflateConfig(enabled, v, compressionLevel, threshold, poolSize, peerContextTakeover);
    }

    public DeflateConfig withCompressionLevel(int v) {
        return new DeflateConfig(enabled, contextTakeover, v, threshold, poolSize, peerContextTakeover);
    }

    public DeflateConfig withThreshold(int v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, v, poolSize, peerContextTakeover);
    }

    public DeflateConfig withPoolSize(int v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, threshold, v, peerContextTakeover);
    }

    public DeflateConfig withPeerContextTakeover(boolean v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, threshold, poolSize, v);
    }
}
