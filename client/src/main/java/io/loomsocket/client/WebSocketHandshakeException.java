package io.loomsocket.client;

import io.loomsocket.WebSocketException;

/**
 * The server refused the WebSocket upgrade or answered it incorrectly (RFC 6455 §4.1): a status
 * other than 101, a wrong {@code Sec-WebSocket-Accept}, or a subprotocol or extension the client
 * did not offer. No WebSocket was opened and the TCP connection is closed.
 */
public class WebSocketHandshakeException extends WebSocketException {
    private final int status;

    public WebSocketHandshakeException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the server answered with (e.g. 403, 404, or 101 for a bad 101), or 0 if none. */
    public int status() {
        return status;
    }
}
