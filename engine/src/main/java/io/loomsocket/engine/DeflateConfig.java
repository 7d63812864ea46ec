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
 * @param enabled          negotiate permessage-deflate at all (server: accept offers; client: make one)
 * @param contextTakeover  keep the LZ77 window across messages in both directions (see above); default false
 * @param compressionLevel zlib level 0-9 for outgoing messages; default 6 ({@link Deflater#DEFAULT_COMPRESSION})
 * @param threshold        messages shorter than this many bytes are sent uncompressed (RSV1 clear, RFC 7692
 *                         §6 allows it per message); default 128
 * @param poolSize         how many idle Deflaters (per level) and Inflaters the JVM-wide pool keeps; default 64
 */
public record DeflateConfig(boolean enabled, boolean contextTakeover, int compressionLevel, int threshold, int poolSize) {

    /** Compression on, no context takeover (pooled zlib state), level 6, threshold 128, pool 64. */
    public static final DeflateConfig DEFAULT = new DeflateConfig(true, false, 6, 128, 64);

    /** Compression off: the server declines every offer, the client makes none. */
    public static final DeflateConfig DISABLED = new DeflateConfig(false, false, 6, 128, 64);

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
        return new DeflateConfig(v, contextTakeover, compressionLevel, threshold, poolSize);
    }

    public DeflateConfig withContextTakeover(boolean v) {
        return new DeflateConfig(enabled, v, compressionLevel, threshold, poolSize);
    }

    public DeflateConfig withCompressionLevel(int v) {
        return new DeflateConfig(enabled, contextTakeover, v, threshold, poolSize);
    }

    public DeflateConfig withThreshold(int v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, v, poolSize);
    }

    public DeflateConfig withPoolSize(int v) {
        return new DeflateConfig(enabled, contextTakeover, compressionLevel, threshold, v);
    }
}
