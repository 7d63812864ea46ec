package io.loomsocket.server;

import java.net.Socket;
import java.util.Objects;

/**
 * A connection handed over after a {@code 101 Switching Protocols} response (RFC 9110 §7.8).
 * From here on the server writes nothing to the socket: it belongs to the new protocol.
 */
public final class UpgradedConnection {
    private final Socket socket;
    private final byte[] leftover;
    private volatile Runnable onShutdown;

    UpgradedConnection(Socket socket, byte[] leftover) {
        this.socket = socket;
        this.leftover = leftover;
    }

    /** The socket, already past the HTTP exchange; its read timeout is reset to none. */
    public Socket socket() {
        return socket;
    }

    /** Bytes the client sent after the request head and the server already read (may be empty). */
    public byte[] leftover() {
        return leftover.length == 0 ? leftover : leftover.clone(); // an empty array cannot be changed
    }

    /**
     * What to do when the server shuts down gracefully while this connection is open (for a
     * WebSocket: close with 1001). Runs on its own virtual thread. Without one the socket is
     * closed.
     */
    public void onShutdown(Runnable action) {
        this.onShutdown = Objects.requireNonNull(action, "action");
    }

    Runnable shutdownAction() {
        return onShutdown;
    }
}
