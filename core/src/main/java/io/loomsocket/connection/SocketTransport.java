package io.loomsocket.connection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;

/** {@link Transport} over a connected {@link Socket} (plain or TLS). */
final class SocketTransport implements Transport {
    private final Socket socket;

    SocketTransport(Socket socket) {
        if (!socket.isConnected()) throw new IllegalArgumentException("socket is not connected");
        this.socket = socket;
    }

    @Override public InputStream input() throws IOException { return socket.getInputStream(); }

    @Override public OutputStream output() throws IOException { return socket.getOutputStream(); }

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
