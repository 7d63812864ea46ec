package io.loomsocket.engine;

/**
 * Limits and extension settings of one connection's engine, immutable. The defaults are safe for
 * a public server: python-websockets' 1 MiB {@code max_size}, compression on with pooled zlib
 * state.
 *
 * @param maxFrameSize           largest frame payload accepted, checked from the frame header before any
 *                               payload is buffered (RFC 6455 §10.4); bigger → 1009. Default 1 MiB. In streaming
 *                               mode data frames longer than {@code streamChunkSize} are not buffered but read in
 *                               pieces, so this limit does not apply to them.
 * @param maxMessageSize         largest assembled message, counted after decompression and checked as each
 *                               frame header arrives; bigger → 1009. Default 1 MiB (1048576).
 * @param maxStreamedMessageSize largest message delivered in streaming mode, where nothing is held in memory;
 *                               default {@link Long#MAX_VALUE} (no limit). Checked from each frame header
 *                               (uncompressed) or as data is inflated.
 * @param streamChunkSize        largest {@link Event.StreamData} chunk, and the step in which inflated data is
 *                               produced in streaming mode. Default 16 KiB.
 * @param maxFragments           most frames one assembled message may come in (RFC 6455 §5.4 sets no bound);
 *                               one more closes with 1009, like a message over {@code maxMessageSize}: it bounds
 *                               the work per message the way the size bounds its memory (300,000 empty
 *                               fragments would otherwise be parsed into one message). Default
 *                               {@value #DEFAULT_MAX_FRAGMENTS}. Streamed messages, whose chunks reach the
 *                               application as they arrive, are not counted.
 * @param deflate                permessage-deflate settings (RFC 7692)
 */
public record EngineConfig(int maxFrameSize, int maxMessageSize, long maxStreamedMessageSize, int streamChunkSize,
                           int maxFragments, DeflateConfig deflate) {

    /** 1 MiB, the default of both {@link #maxFrameSize} and {@link #maxMessageSize}. */
    public static final int DEFAULT_MAX_SIZE = 1 << 20;
    /** 16 KiB, the default {@link #streamChunkSize}. */
    public static final int DEFAULT_STREAM_CHUNK = 16 * 1024;
    /** 1,024, the default {@link #maxFragments}: a 1 MiB message still fits in fragments of 1 KiB. */
    public static final int DEFAULT_MAX_FRAGMENTS = 1024;

    public EngineConfig {
        if (maxFrameSize < 125) {
            throw new IllegalArgumentException("maxFrameSize must be at least 125 (a control frame): " + maxFrameSize);
        }
        if (maxMessageSize < 0) {
            throw new IllegalArgumentException("maxMessageSize must be >= 0: " + maxMessageSize);
        }
        if (maxStreamedMessageSize < 0) {
            throw new IllegalArgumentException("maxStreamedMessageSize must be >= 0: " + maxStreamedMessageSize);
        }
        if (streamChunkSize < 16) {
            throw new IllegalArgumentException("streamChunkSize must be at least 16: " + streamChunkSize);
        }
        if (maxFragments < 1) {
            throw new IllegalArgumentException("maxFragments must be at least 1: " + maxFragments);
        }
        if (deflate == null) {
            throw new NullPointerException("deflate");
        }
    }

    /**
     * The defaults: 1 MiB frames and messages, 1,024 fragments per message, unlimited streams in
     * 16 KiB chunks, {@link DeflateConfig#DEFAULT}.
     */
    public static EngineConfig defaults() {
        return new EngineConfig(DEFAULT_MAX_SIZE, DEFAULT_MAX_SIZE, Long.MAX_VALUE, DEFAULT_STREAM_CHUNK, DEFAULT_MAX_FRAGMENTS,
                DeflateConfig.DEFAULT);
    }

    public EngineConfig withMaxFrameSize(int v) {
        return new EngineConfig(v, maxMessageSize, maxStreamedMessageSize, streamChunkSize, maxFragments, deflate);
    }

    public EngineConfig withMaxMessageSize(int v) {
        return new EngineConfig(maxFrameSize, v, maxStreamedMessageSize, streamChunkSize, maxFragments, deflate);
    }

    public EngineConfig withMaxStreamedMessageSize(long v) {
        return new EngineConfig(maxFrameSize, maxMessageSize, v, streamChunkSize, maxFragments, deflate);
    }

    public EngineConfig withStreamChunkSize(int v) {
        return new EngineConfig(maxFrameSize, maxMessageSize, maxStreamedMessageSize, v, maxFragments, deflate);
    }

    public EngineConfig withMaxFragments(int v) {
        return new EngineConfig(maxFrameSize, maxMessageSize, maxStreamedMessageSize, streamChunkSize, v, deflate);
    }

    public EngineConfig withDeflate(DeflateConfig v) {
        return new EngineConfig(maxFrameSize, maxMessageSize, maxStreamedMessageSize, streamChunkSize, maxFragments, v);
    }
}
