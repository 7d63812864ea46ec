package io.loomsocket.engine;

/**
 * The opening handshake failed on the client side (RFC 6455 §4.1): the server's response was not
 * a valid 101, its {@code Sec-WebSocket-Accept} was wrong, or it chose a subprotocol or extension
 * the client did not offer. The client must fail the connection without sending a close frame.
 * (The server side never throws: it returns {@link ServerHandshake.Reject}.)
 */
public final class HandshakeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public HandshakeException(String message) {
        this(0, message);
    }

    /** @param status the HTTP status of the response, or 0 when not relevant */
    public HandshakeException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the server answered with, or 0 when the failure is not about the status. */
    public int status() {
        return status;
    }
}
