package io.loomsocket;

/**
 * What happens to every WebSocket made with a {@link WebSocketConfig} that names this listener
 * ({@link WebSocketConfig.Builder#listener}): the seam metrics hang on. Methods run on the thread
 * that caused the event (the view's, the reader's, a timer's): implementations must be
 * thread-safe and quick (a counter increment), and must neither block nor throw. A config
 * without a listener calls nothing.
 */
public interface WebSocketListener {
    /** {@code ws} is open (after the handshake). */
    default void opened(WebSocket ws) {}

    /**
     * The application took a message from {@code ws} ({@code receive}, {@code read},
     * {@code receiveStream} or the iterator); {@code bytes} is its payload (UTF-8 bytes for text),
     * or -1 for a stream whose length is not known yet.
     */
    default void received(WebSocket ws, boolean text, long bytes) {}

    /** The application sent a whole message of {@code bytes} (UTF-8 bytes for text) on {@code ws}. */
    default void sent(WebSocket ws, boolean text, long bytes) {}

    /** {@code ws} did not answer a keepalive ping in time and is being dropped (1011). */
    default void keepaliveTimedOut(WebSocket ws) {}

    /** {@code ws} is closed, with {@code code} (the one received, else the one sent; 1006 if none). */
    default void closed(WebSocket ws, int code) {}
}
