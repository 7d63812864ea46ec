package io.loomsocket.connection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * The byte stream under a WebSocket: usually a connected {@link Socket} (plain or TLS) whose HTTP
 * upgrade is done. One thread reads ({@link #input()}), one thread at a time writes
 * ({@link #output()}); {@link #close()} may come from any thread and unblocks both.
 */
public interface Transport {

    /** Bytes from the peer; a blocking read returning -1 at end of stream. */
    InputStream input() throws IOException;

    /** Bytes to the peer, unbuffered: every write is a system call (the connection coalesces). */
    OutputStream output() throws IOException;

    /** Closes both directions; idempotent; unblocks a blocked read or write. */
    void close();

    /** The peer's address, or null if unknown (in-memory transports). */
    SocketAddress remoteAddress();

    /** A transport over a connected socket. */
    static Transport of(Socket socket) {
        return new SocketTransport(socket);
    }

    /** A transport over two streams (in-memory pipes in tests); {@code closer} runs on close. */
    static Transport of(InputStream in, OutputStream out, Runnable closer) {
        return new Transport() {
            @Override public InputStream input() { return in; }
            @Override public OutputStream output() { return out; }
            @Override public void close() { closer.run(); }
            @Override public SocketAddress remoteAddress() { return null; }
        };
    }
}
