package io.loomsocket.engine;

import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692) settings, immutable.
 *
 * <p><b>Memory.</b> zlib state ({@code java.util.zip}: ~256 KiB for a Deflater, ~40 KiB for an
 * Inflater, both with a 15-bit window) is borrowed from a JVM-wide pool of at most {@link #poolSize}
 * idle objects for the duration of one message, except for a compressor that keeps its context
 * with a 15-bit window, which the connection owns. What a connection keeps between messages is its
 * context (RFC 7692 §7.2.3): with context takeover in a direction, the last
 * 2<sup>bits</sup> bytes of that direction's messages as a heap array, fed to the borrowed zlib
 * object as a preset dictionary at the start of the next message ({@link PerMessageDeflate}). So
 * with the defaults (both directions keep context, {@code windowBits} and {@code peerWindowBits}
 * {@value #DEFAULT_WINDOW_BITS}) a connection holds at most
 * 2 × 2<sup>{@value #DEFAULT_WINDOW_BITS}</sup> bytes after its first compressed message each way
 * and nothing before; an idle connection that never compressed holds no zlib state.
 *
 * <p><b>Window bits.</b> {@code windowBits} is the largest LZ77 window this side compresses with
 * (8..15): the server answers an offer's {@code server_max_window_bits} with the smaller of the
 * two (RFC 7692 §7.1.2.1) and uses it even when none was offered (a smaller window is always
 * readable). {@code peerWindowBits} (9..15) is the largest window the peer may keep its context
 * in: the server answers a {@code client_max_window_bits} offer with it (§7.1.2.2); a client
 * that did not offer that parameter cannot be limited and keeps a 15-bit context (its Inflater,
 * ~40 KiB native, lives as long as the connection; {@code peerContextTakeover} false asks every
 * client for {@code client_no_context_takeover} instead); the client offers it as
 * {@code server_max_window_bits}, with a second offer without it for servers that cannot honour
 * it. It starts at 9: zlib cannot compress raw DEFLATE with an 8-bit window (zlib.h,
 * {@code deflateInit2}), so a zlib peer told 8 fails or silently uses 9.
 *
 * <p><b>Level.</b> The default is zlib level 1, not zlib's own default 6: levels 4-9 spend most of
 * their time walking hash chains. Measured on 16 KiB messages from an empty window (bench words /
 * JSON / English text): level 1 takes 70 / 32 / 178 µs and gives 4049 / 1733 / 6815 bytes, level 6
 * takes 424 / 131 / 624 µs for 3338 / 1311 / 5989 bytes: 3.5-6× the CPU for 12-25 % fewer bytes.
 * The level is not negotiated (RFC 7692 leaves it to the compressor).
 *
 * @param enabled             negotiate permessage-deflate at all (server: accept offers; client: make them)
 * @param contextTakeover     keep our compression context between messages (RFC 7692 §7.1.1); default true
 * @param compressionLevel    zlib level 0-9 for outgoing messages; default 1 (see above)
 * @param threshold           messages shorter than this many bytes are sent uncompressed (RSV1 clear, RFC 7692
 *                            §6 allows it per message); default 128
 * @param poolSize            how many idle Deflaters (per level) and Inflaters the JVM-wide pool keeps; default 64
 * @param peerContextTakeover let the peer keep its compression context, within {@code peerWindowBits}; default true
 * @param windowBits          largest LZ77 window this side compresses with, 8..15; default {@value #DEFAULT_WINDOW_BITS}
 * @param peerWindowBits      largest LZ77 window the peer may keep its context in, 9..15; default
 *                            {@value #DEFAULT_WINDOW_BITS}
 */
public record DeflateConfig(boolean enabled, boolean contextTakeover, int compressionLevel, int threshold, int poolSize,
                            boolean peerContextTakeover, int windowBits, int peerWindowBits) {

    /** The default level: see the class comment for why it is 1. */
    public static final int DEFAULT_LEVEL = 1;
    /** The default of both window settings (measured in docs/compression.md). */
    public static final int DEFAULT_WINDOW_BITS = 12;

    /** Compression on, context takeover both ways within 2^12-byte windows, level 1, threshold 128, pool 64. */
    public static final DeflateConfig DEFAULT =
            new DeflateConfig(true, true, DEFAULT_LEVEL, 128, 64, true, DEFAULT_WINDOW_BITS, DEFAULT_WINDOW_BITS);

    /** Compression off: the server declines every offer, the client makes none. */
    public static final DeflateConfig DISABLED = DEFAULT.withEnabled(false);

    /** Without the window settings: both are then {@value #DEFAULT_WINDOW_BITS}. */
    public DeflateConfig(boolean enabled, boolean contextTakeover, int compressionLevel, int threshold, int poolSize,
                         boolean peerContextTakeover) {
        this(enabled, contextTakeover, compressionLevel, threshold, poolSize, peerContextTakeover,
                DEFAULT_WINDOW_BITS, DEFAULT_WINDOW_BITS);
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
        if (windowBits < 8 || windowBits > 15) {
            throw new IllegalArgumentException("windowBits must be 8..15: " + windowBits);
        }
        if (peerWindowBits < 9 || peerWindowBits > 15) {
            throw new IllegalArgumentException("peerWindowBits must be 9..15 (zlib cannot compress with 8): " + peerWindowBits);
        }
    }

    public DeflateConfig withEnabled(boolean v) {
        return new DeflateConfig(v, contextTakeover, compressionLevel, threshold, poolSize, peerContextTakeover, windowBits, peerWindowBits);
    }

    public DeflateConfig withContextTakeover(boolean v) {
        return new DeflateConfig(enabled, v, compressionLevel, threshold, poolSize, peerContextTakeover, windowBits, peerWindowBits);
    }

    public DeflateConfig withCompressionLevel(int v) {
        return new DeflateConfig(enabled, contextTakeover, v, threshold, poolSize, peerContextTakeover, windowBits, peerWindowBits);
    }

    public DeflateConfig withThreshold(int v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, v, poolSize, peerContextTakeover, windowBits, peerWindowBits);
    }

    public DeflateConfig withPoolSize(int v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, threshold, v, peerContextTakeover, windowBits, peerWindowBits);
    }

    public DeflateConfig withPeerContextTakeover(boolean v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, threshold, poolSize, v, windowBits, peerWindowBits);
    }

    public DeflateConfig withWindowBits(int v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, threshold, poolSize, peerContextTakeover, v, peerWindowBits);
    }

    public DeflateConfig withPeerWindowBits(int v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, threshold, poolSize, peerContextTakeover, windowBits, v);
    }
}
