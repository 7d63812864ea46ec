package io.loomsocket;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A WebSocket connection (RFC 6455) with dwebsocket's blocking API, done right.
 *
 * <h2>States</h2>
 * {@code OPEN -> CLOSING (we sent close) | CLOSING (they sent close) -> CLOSED}; see {@link State}.
 * A message received before the peer's close frame stays readable after the connection closed:
 * {@link #receive()} drains the queue first, then returns empty.
 *
 * <h2>Concurrency contract</h2>
 * <ul>
 *   <li>Receiving ({@link #receive()}, {@link #receive(Duration)}, {@link #read()}, iteration,
 *       {@link #receiveStream()}) is meant for one thread at a time (the view's); concurrent
 *       receivers each get distinct messages, never a torn one.</li>
 *   <li>Sending ({@code send*}, {@link #ping()}, {@link #close()}, {@link #abort()}) is safe from
 *       any thread; messages from one thread keep their order; a fragmented send
 *       ({@link #sendStream(boolean)}) holds the send side until its stream is closed.</li>
 *   <li>Queries ({@link #isClosed()}, {@link #closeCode()}, {@link #hasMessages()}, ...) are safe
 *       from any thread and never block.</li>
 * </ul>
 * Pings are answered and a peer's close is noticed by the connection itself, even while the view
 * is busy and not receiving (within a few tens of milliseconds; at once while it receives). Implementations never hold a monitor ({@code synchronized}) across a
 * blocking call, so virtual threads are not pinned.
 */
public interface WebSocket extends Iterable<Message>, AutoCloseable {

    /** RFC 6455 §7: open, closing either way, closed. */
    enum State { OPEN, CLOSING_SENT, CLOSING_RECEIVED, CLOSED }

    // ---- receiving ----

    /**
     * Blocks until a message arrives (dwebsocket's {@code wait()}). Returns empty only once the
     * connection is closed and every message received before the close has been returned.
     * Interrupting the waiting thread aborts the connection (no closing handshake, code 1006) and
     * this method then throws {@link WebSocketException}, whether the thread was reading the socket
     * itself or waiting for another reader; the same holds for the timed {@link #receive(Duration)}
     * and {@link #receiveStream()}. A thread interrupted before it calls these aborts it too.
     */
    Optional<Message> receive();

    /**
     * Like {@link #receive()} but waits at most {@code timeout}.
     *
     * @throws WebSocketTimeoutException if the timeout passed with no message and the connection
     *     still open (this is not a close: the caller may wait again)
     */
    Optional<Message> receive(Duration timeout);

    /** Non-blocking (dwebsocket's {@code read()}): the next queued message, or empty. */
    Optional<Message> read();

    /** True if {@link #read()} would return a message now. */
    boolean hasMessages();

    /** Exactly how many complete messages are queued and not yet received. */
    int countMessages();

    /**
     * Blocks until the next message starts and returns it as a stream, for messages too big to
     * hold. A message that starts arriving while this call waits is handed over chunk by chunk
     * as it arrives (a few chunks are buffered; then the connection stops reading until the
     * stream is read), and {@code max_message_size} does not apply to it (each frame is still
     * bound by {@code max_frame_size}). A message that was already queued is returned as a stream
     * over its bytes. The stream ends at the end of the message; read it to the end or close it
     * before receiving again. Text streams carry UTF-8 validated as it arrives.
     *
     * @return empty once the connection is closed
     */
    Optional<MessageStream> receiveStream();

    /** Messages until the connection closes; never yields null. Same as looping on receive(). */
    @Override
    Iterator<Message> iterator();

    // ---- sending ----

    /** Sends a text message. Blocks while the peer does not read, up to the write timeout. */
    void send(String text);

    /** Sends a binary message (the array is not copied; do not change it until send returns). */
    void send(byte[] data);

    /** Sends a binary message from a slice of an array. */
    void send(byte[] data, int offset, int length);

    /** Sends a message of either kind. */
    void send(Message message);

    /**
     * Starts a fragmented message: each flush or write that fills the buffer sends one frame,
     * {@code close()} sends the final frame. For text, write UTF-8 bytes (a {@link java.io.Writer}
     * over it with UTF-8 is fine). Other senders wait until this stream is closed.
     */
    OutputStream sendStream(boolean text);

    /**
     * Sends a ping and blocks until its pong arrives; returns the round-trip time.
     *
     * @throws WebSocketTimeoutException if no pong arrives within the ping timeout
     * @throws WebSocketClosedException if the connection closes first
     */
    Duration ping();

    /** Sends an unsolicited pong (a unidirectional heartbeat, RFC 6455 §5.5.3). */
    void pong(byte[] payload);

    // ---- closing ----

    /** {@code close(1000, "")}. */
    @Override
    void close();

    /**
     * Runs the closing handshake (RFC 6455 §7.1.2): sends a close frame, waits up to the close
     * timeout for the peer's, then closes the TCP connection. Idempotent; safe from any thread.
     * Messages already queued stay readable.
     *
     * <p>{@code code} is 1000-1003, 1007-1014 or 3000-4999 (RFC 6455 §7.4), or 1005 to send a
     * close frame without a status code (then {@code reason} must be empty).
     *
     * @throws IllegalArgumentException if {@code code} may not be sent (RFC 6455 §7.4) or the
     *     reason is longer than 123 UTF-8 bytes
     */
    void close(int code, String reason);

    /** Closes the TCP connection at once, without a closing handshake (close code 1006). */
    void abort();

    State state();

    /** True once the TCP connection is closed (state CLOSED). */
    boolean isClosed();

    /**
     * The close code the peer sent, or the one that describes how the connection ended:
     * 1005 if the peer's close frame had no code, 1006 if the TCP connection ended without a
     * close frame, or the code we sent after a protocol error. Empty while open.
     */
    OptionalInt closeCode();

    /** The reason that came with {@link #closeCode()}; empty string if none. */
    String closeReason();

    // ---- about the connection ----

    /** The subprotocol agreed in the handshake (RFC 6455 §1.9), if any. */
    Optional<String> subprotocol();

    /** The extensions agreed in the handshake, as sent in {@code Sec-WebSocket-Extensions}. */
    String extensions();

    /** A name unique in this process, usable as a channel name. */
    String id();

    SocketAddress remoteAddress();

    /** Per-connection attributes for the application (thread-safe map). */
    Map<String, Object> attributes();

    /** A message as a stream (see {@link WebSocket#receiveStream()}). */
    abstract class MessageStream extends InputStream {
        /** True for a text message: the bytes are UTF-8, validated as they are read. */
        public abstract boolean isText();
    }
}
