package io.loomsocket;

import java.time.Duration;
import java.util.Objects;

/**
 * Every limit and timer of a WebSocket connection, in one immutable object with safe defaults
 * (the same ones as python-websockets where it has them). Build with {@link #builder()}:
 *
 * <pre>{@code
 * WebSocketConfig config = WebSocketConfig.builder()
 *         .maxMessageSize(4 << 20)
 *         .pingInterval(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 *
 * <table>
 *   <caption>Settings (the name in parentheses is the server's settings key)</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code maxMessageSize} ({@code websocket.max_message_size})</td><td>1 MiB</td>
 *       <td>largest message, after decompression; a bigger one closes with 1009 (RFC 6455 §7.4.1).
 *           {@link WebSocket#receiveStream()} is not bound by it.</td></tr>
 *   <tr><td>{@code maxFrameSize} ({@code websocket.max_frame_size})</td><td>= maxMessageSize</td>
 *       <td>largest frame payload, checked from the frame header before any payload is read (1009);
 *           unless set it follows maxMessageSize (browsers send each message as one frame), and it
 *           is never more than maxMessageSize. With compression a frame may exceed it by the deflate
 *           overhead (1/64 + 1 KiB).</td></tr>
 *   <tr><td>{@code maxFragmentsPerMessage} ({@code websocket.max_fragments_per_message})</td><td>1024</td>
 *       <td>frames one received message may come in; one more closes with 1009. Bounds the work
 *           per message as maxMessageSize bounds its memory; {@link WebSocket#receiveStream()} is not
 *           bound by it.</td></tr>
 *   <tr><td>{@code maxQueue} ({@code websocket.max_queue})</td><td>16</td>
 *       <td>received messages held for the application; when full, the connection stops reading
 *           the socket, so TCP flow control slows the peer down</td></tr>
 *   <tr><td>{@code maxQueueBytes} ({@code websocket.max_queue_bytes})</td><td>1 MiB</td>
 *       <td>bytes of received messages held for the application (UTF-8 bytes for text); like
 *           maxQueue, reaching it stops reading the socket. An empty queue takes any message, so
 *           at most maxQueueBytes + maxMessageSize are held</td></tr>
 *   <tr><td>{@code writeBufferSize} ({@code websocket.write_buffer_size})</td><td>64 KiB</td>
 *       <td>outgoing bytes coalesced before a system call; frames are written as soon as the
 *           sender is about to block, the buffer fills, or {@value #FLUSH_DELAY_MICROS} µs after a
 *           send, whichever comes first. The buffer grows with what is sent and is dropped when
 *           the connection goes quiet</td></tr>
 *   <tr><td>{@code readBufferSize} ({@code websocket.read_buffer_size})</td><td>64 KiB</td>
 *       <td>the largest read buffer while data flows; an idle connection reads into a 128-byte
 *           one, and a read that fills its buffer grows the next one 16-fold up to this size</td></tr>
 *   <tr><td>{@code writeTimeout} ({@code websocket.write_timeout})</td><td>30 s</td>
 *       <td>how long a write may block while the peer does not read; then the connection is
 *           aborted (close code 1008 reported locally) and the sender gets a
 *           {@link WebSocketClosedException}</td></tr>
 *   <tr><td>{@code closeTimeout} ({@code websocket.close_timeout})</td><td>10 s</td>
 *       <td>how long the closing handshake waits for the peer's close frame and TCP close</td></tr>
 *   <tr><td>{@code pingInterval} ({@code websocket.ping_interval})</td><td>20 s</td>
 *       <td>keepalive: a ping after this long; {@link Duration#ZERO} disables keepalive</td></tr>
 *   <tr><td>{@code pingTimeout} ({@code websocket.ping_timeout})</td><td>20 s</td>
 *       <td>a peer that does not answer a keepalive ping (or {@link WebSocket#ping()}) within
 *           this is dropped with 1011 (keepalive) / gets a timeout (ping())</td></tr>
 *   <tr><td>{@code compression} ({@code websocket.compression})</td><td>true</td>
 *       <td>offer (client) / accept (server) permessage-deflate, RFC 7692</td></tr>
 *   <tr><td>{@code compressionThreshold} ({@code websocket.compression_threshold})</td><td>128</td>
 *       <td>messages shorter than this many bytes are sent uncompressed</td></tr>
 *   <tr><td>{@code compressionContextTakeover} ({@code websocket.compression_context_takeover})</td><td>true</td>
 *       <td>keep our LZ77 window between messages (RFC 7692 §7.1.1): chat-like messages compress
 *           ~45 % better; costs 2^compressionWindowBits bytes per connection once it sent a
 *           compressed message (4 KiB by default; a 15-bit window owns a zlib Deflater, ~256 KiB)</td></tr>
 *   <tr><td>{@code compressionClientContextTakeover} ({@code websocket.compression_client_context_takeover})</td><td>true</td>
 *       <td>let the peer keep its LZ77 window between messages, within compressionPeerWindowBits:
 *           costs 2^compressionPeerWindowBits bytes per connection once it received a compressed
 *           message (4 KiB by default; 15 bits: an owned Inflater, ~30-40 KiB)</td></tr>
 *   <tr><td>{@code compressionWindowBits} ({@code websocket.compression_window_bits})</td><td>12</td>
 *       <td>largest LZ77 window (2^bits bytes, 8-15) we compress with; a peer may ask for less
 *           (RFC 7692 §7.1.2)</td></tr>
 *   <tr><td>{@code compressionPeerWindowBits} ({@code websocket.compression_client_window_bits})</td><td>12</td>
 *       <td>largest window (9-15) the peer may keep its context in: the server answers
 *           client_max_window_bits with it (a client that offers no client_max_window_bits cannot be
 *           limited and keeps a 15-bit context), the client offers it as server_max_window_bits</td></tr>
 *   <tr><td>{@code compressionLevel} ({@code websocket.compression_level})</td><td>1</td>
 *       <td>zlib level 0-9 for outgoing messages; 1 costs a fraction of 6's CPU for 12-25 %
 *           more bytes (docs/performance.md)</td></tr>
 * </table>
 */
public final class WebSocketConfig {

    /** Longest time a sent frame may wait in the write buffer before a flush (see writeBufferSize). */
    public static final long FLUSH_DELAY_MICROS = 100;

    private static final WebSocketConfig DEFAULTS = new Builder().build();

    private final int maxMessageSize;
    private final int maxFrameSize;
    private final int maxFragmentsPerMessage;
    private final int maxQueue;
    private final long maxQueueBytes;
    private final int writeBufferSize;
    private final int readBufferSize;
    private final Duration writeTimeout;
    private final Duration closeTimeout;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final boolean compression;
    private final int compressionThreshold;
    private final boolean compressionContextTakeover;
    private final int compressionLevel;
    private final boolean compressionClientContextTakeover;
    private final WebSocketListener listener;
    private final int compressionWindowBits;
    private final int compressionPeerWindowBits;

    private WebSocketConfig(Builder b) {
        this.maxMessageSize = b.maxMessageSize;
        this.maxFrameSize = b.effectiveMaxFrameSize();
        this.maxFragmentsPerMessage = b.maxFragmentsPerMessage;
        this.maxQueue = b.maxQueue;
        this.maxQueueBytes = b.maxQueueBytes;
        this.writeBufferSize = b.writeBufferSize;
        this.readBufferSize = b.readBufferSize;
        this.writeTimeout = b.writeTimeout;
        this.closeTimeout = b.closeTimeout;
        this.pingInterval = b.pingInterval;
        this.pingTimeout = b.pingTimeout;
        this.compression = b.compression;
        this.compressionThreshold = b.compressionThreshold;
        this.compressionContextTakeover = b.compressionContextTakeover;
        this.compressionLevel = b.compressionLevel;
        this.compressionClientContextTakeover = b.compressionClientContextTakeover;
        this.listener = b.listener;
        this.compressionWindowBits = b.compressionWindowBits;
        this.compressionPeerWindowBits = b.compressionPeerWindowBits;
    }

    /** The defaults listed on this class. */
    public static WebSocketConfig defaults() { return DEFAULTS; }

    public static Builder builder() { return new Builder(); }

    /** A builder that starts from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxMessageSize = maxMessageSize;
        b.maxFrameSize = maxFrameSize == maxMessageSize ? -1 : maxFrameSize;
        b.maxFragmentsPerMessage = maxFragmentsPerMessage;
        b.maxQueue = maxQueue;
        b.maxQueueBytes = maxQueueBytes;
        b.writeBufferSize = writeBufferSize;
        b.readBufferSize = readBufferSize;
        b.writeTimeout = writeTimeout;
        b.closeTimeout = closeTimeout;
        b.pingInterval = pingInterval;
        b.pingTimeout = pingTimeout;
        b.compression = compression;
        b.compressionThreshold = compressionThreshold;
        b.compressionContextTakeover = compressionContextTakeover;
        b.compressionLevel = compressionLevel;
        b.compressionClientContextTakeover = compressionClientContextTakeover;
        b.listener = listener;
        b.compressionWindowBits = compressionWindowBits;
        b.compressionPeerWindowBits = compressionPeerWindowBits;
        return b;
    }

    /** The listener told about every connection's events (metrics), or null for none. */
    public WebSocketListener listener() { return listener; }

    public int maxMessageSize() { return maxMessageSize; }
    public int maxFrameSize() { return maxFrameSize; }
    public int maxFragmentsPerMessage() { return maxFragmentsPerMessage; }
    public int maxQueue() { return maxQueue; }
    public long maxQueueBytes() { return maxQueueBytes; }
    public int writeBufferSize() { return writeBufferSize; }
    public int readBufferSize() { return readBufferSize; }
    public Duration writeTimeout() { return writeTimeout; }
    public Duration closeTimeout() { return closeTimeout; }
    /** {@link Duration#ZERO} when keepalive is off. */
    public Duration pingInterval() { return pingInterval; }
    public Duration pingTimeout() { return pingTimeout; }
    public boolean compression() { return compression; }
    public int compressionThreshold() { return compressionThreshold; }
    public boolean compressionContextTakeover() { return compressionContextTakeover; }
    public int compressionLevel() { return compressionLevel; }
    public boolean compressionClientContextTakeover() { return compressionClientContextTakeover; }
    public int compressionWindowBits() { return compressionWindowBits; }
    public int compressionPeerWindowBits() { return compressionPeerWindowBits; }

    @Override
    public String toString() {
        return "WebSocketConfig[maxMessageSize=" + maxMessageSize + ", maxFrameSize=" + maxFrameSize
                + ", maxFragmentsPerMessage=" + maxFragmentsPerMessage
                + ", maxQueue=" + maxQueue + ", maxQueueBytes=" + maxQueueBytes + ", writeBufferSize=" + writeBufferSize
                + ", readBufferSize=" + readBufferSize + ", writeTimeout=" + writeTimeout
                + ", closeTimeout=" + closeTimeout + ", pingInterval=" + pingInterval
                + ", pingTimeout=" + pingTimeout + ", compression=" + compression
                + ", compressionThreshold=" + compressionThreshold
                + ", compressionContextTakeover=" + compressionContextTakeover
                + ", compressionLevel=" + compressionLevel
                + ", compressionClientContextTakeover=" + compressionClientContextTakeover
                + ", compressionWindowBits=" + compressionWindowBits
                + ", compressionPeerWindowBits=" + compressionPeerWindowBits + "]";
    }

    /** Collects settings; every setter checks its argument and throws IllegalArgumentException. */
    public static final class Builder {
        private int maxMessageSize = 1 << 20;
        private int maxFrameSize = -1; // unset: follows maxMessageSize
        private int maxFragmentsPerMessage = io.loomsocket.engine.EngineConfig.DEFAULT_MAX_FRAGMENTS;
        private int maxQueue = 16;
        private long maxQueueBytes = 1 << 20;
        private int writeBufferSize = 64 << 10;
        private int readBufferSize = 64 << 10;
        private Duration writeTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private Duration pingInterval = Duration.ofSeconds(20);
        private Duration pingTimeout = Duration.ofSeconds(20);
        private boolean compression = true;
        private int compressionThreshold = 128;
        private boolean compressionContextTakeover = io.loomsocket.engine.DeflateConfig.DEFAULT.contextTakeover();
        private int compressionLevel = io.loomsocket.engine.DeflateConfig.DEFAULT.compressionLevel();
        private boolean compressionClientContextTakeover = io.loomsocket.engine.DeflateConfig.DEFAULT.peerContextTakeover();
        private int compressionWindowBits = io.loomsocket.engine.DeflateConfig.DEFAULT.windowBits();
        private int compressionPeerWindowBits = io.loomsocket.engine.DeflateConfig.DEFAULT.peerWindowBits();
        private WebSocketListener listener;

        private Builder() {}

        /** A listener told about every connection's events (for metrics); null (the default) for none. */
        public Builder listener(WebSocketListener listener) { this.listener = listener; return this; }

        /** Largest message in bytes (after decompression), at least 1. */
        public Builder maxMessageSize(int bytes) { this.maxMessageSize = positive("maxMessageSize", bytes); return this; }

        /** Largest frame payload in bytes, at least 125 (every control frame must fit, RFC 6455 §5.5). */
        public Builder maxFrameSize(int bytes) {
            if (bytes < 125) throw new IllegalArgumentException("maxFrameSize must be at least 125 bytes, got " + bytes);
            this.maxFrameSize = bytes;
            return this;
        }

        /** Frames one received message may come in, at least 1. */
        public Builder maxFragmentsPerMessage(int frames) {
            this.maxFragmentsPerMessage = positive("maxFragmentsPerMessage", frames);
            return this;
        }

        /** Received messages held before reading stops, 1 to 65536. */
        public Builder maxQueue(int messages) {
            if (messages < 1 || messages > 65536) throw new IllegalArgumentException("maxQueue must be 1..65536, got " + messages);
            this.maxQueue = messages;
            return this;
        }

        /** Bytes of received messages held before reading stops, at least 1. */
        public Builder maxQueueBytes(long bytes) {
            if (bytes < 1) throw new IllegalArgumentException("maxQueueBytes must be positive, got " + bytes);
            this.maxQueueBytes = bytes;
            return this;
        }

        /** Coalescing buffer for outgoing frames, 256 bytes to 16 MiB. */
        public Builder writeBufferSize(int bytes) { this.writeBufferSize = range("writeBufferSize", bytes, 256, 16 << 20); return this; }

        /** Read buffer while data flows, 512 bytes to 16 MiB. */
        public Builder readBufferSize(int bytes) { this.readBufferSize = range("readBufferSize", bytes, 512, 16 << 20); return this; }

        /** Longest blocking write, positive. */
        public Builder writeTimeout(Duration timeout) { this.writeTimeout = positive("writeTimeout", timeout); return this; }

        /** Longest closing handshake, positive. */
        public Builder closeTimeout(Duration timeout) { this.closeTimeout = positive("closeTimeout", timeout); return this; }

        /** Keepalive ping interval; {@link Duration#ZERO} disables keepalive. */
        public Builder pingInterval(Duration interval) {
            Objects.requireNonNull(interval, "pingInterval");
            if (interval.isNegative()) throw new IllegalArgumentException("pingInterval must not be negative");
            this.pingInterval = interval;
            return this;
        }

        /** How long a ping waits for its pong, positive. */
        public Builder pingTimeout(Duration timeout) { this.pingTimeout = positive("pingTimeout", timeout); return this; }

        /** Offer/accept permessage-deflate (RFC 7692). */
        public Builder compression(boolean on) { this.compression = on; return this; }

        /** Messages shorter than this are not compressed, 0 or more. */
        public Builder compressionThreshold(int bytes) {
            if (bytes < 0) throw new IllegalArgumentException("compressionThreshold must not be negative");
            this.compressionThreshold = bytes;
            return this;
        }

        /** Keep our compression window between messages (2^compressionWindowBits bytes per connection). */
        public Builder compressionContextTakeover(boolean on) { this.compressionContextTakeover = on; return this; }

        /** Let the peer keep its compression window between messages (2^compressionPeerWindowBits bytes per connection). */
        public Builder compressionClientContextTakeover(boolean on) { this.compressionClientContextTakeover = on; return this; }

        /** Largest LZ77 window we compress with, 8-15 bits (RFC 7692 §7.1.2). */
        public Builder compressionWindowBits(int bits) {
            this.compressionWindowBits = range("compressionWindowBits", bits, 8, 15);
            return this;
        }

        /** Largest LZ77 window the peer may keep its context in, 9-15 bits (zlib cannot compress with 8). */
        public Builder compressionPeerWindowBits(int bits) {
            this.compressionPeerWindowBits = range("compressionPeerWindowBits", bits, 9, 15);
            return this;
        }

        /** zlib compression level of outgoing messages, 0 (stored) to 9 (smallest, slowest). */
        public Builder compressionLevel(int level) { this.compressionLevel = range("compressionLevel", level, 0, 9); return this; }

        public WebSocketConfig build() {
            return new WebSocketConfig(this);
        }

        /**
         * The effective frame limit: maxMessageSize unless set (browsers send a message as one
         * frame), never more than maxMessageSize (a frame cannot outgrow its message), never
         * below 125 (every control frame must fit).
         */
        private int effectiveMaxFrameSize() {
            int f = maxFrameSize < 0 ? maxMessageSize : Math.min(maxFrameSize, maxMessageSize);
            return Math.max(125, f);
        }

        private static int positive(String name, int v) {
            if (v < 1) throw new IllegalArgumentException(name + " must be positive, got " + v);
            return v;
        }

        private static int range(String name, int v, int min, int max) {
            if (v < min || v > max) throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + v);
            return v;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, got " + d);
            return d;
        }
    }
}
