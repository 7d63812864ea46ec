package io.loomsocket.connection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.ssl.SSLSocket;

/** {@link Transport} over a connected {@link Socket}; TLS sockets are closed without half-close. */
final class SocketTransport implements Transport {
    private final Socket socket;

    SocketTransport(Socket socket) {
        if (!socket.isConnected()) throw new IllegalArgumentException("socket is not connected");
        this.socket = socket;
    }

    @Override public InputStream input() throws IOException { return socket.getInputStream(); }

    @Override public OutputStream output() throws IOException { return socket.getOutputStream(); }

    @Override
    public void shutdownOutput() {
        // SSLSocket does not support half-close before TLS 1.3 close_notify handling; just skip it.
        if (socket instanceof SSLSocket || socket.isOutputShutdown() || socket.isClosed()) return;
        try {
            socket.shutdownOutput();
        } catch (IOException ignored) {
            // the peer is gone already; close() will follow
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    @Override public SocketAddress remoteAddress() { return socket.getRemoteSocketAddress(); }
}
