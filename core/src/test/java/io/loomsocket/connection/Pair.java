package io.loomsocket.connection;

import io.loomsocket.WebSocketConfig;
import io.loomsocket.engine.DeflateParams;
import io.loomsocket.engine.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Two connected loopback sockets, and helpers to put WebSocket connections on them. */
final class Pair implements AutoCloseable {
    final Socket serverSide;
    final Socket clientSide;

    private Pair(Socket serverSide, Socket clientSide) {
        this.serverSide = serverSide;
        this.clientSide = clientSide;
    }

    static Pair open() throws IOException {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
            Socket s = ss.accept();
            c.setTcpNoDelay(true);
            s.setTcpNoDelay(true);
            return new Pair(s, c);
        }
    }

    /** A pair of connected WebSockets (no HTTP handshake: both sides agree on the parameters). */
    static WebSockets webSockets(WebSocketConfig serverConfig, WebSocketConfig clientConfig, DeflateParams deflate)
            throws IOException {
        Pair p = open();
        WebSocketConnection server = WebSocketConnection.open(Transport.of(p.serverSide), null, Role.SERVER, "chat",
                deflate, serverConfig);
        WebSocketConnection client = WebSocketConnection.open(Transport.of(p.clientSide), null, Role.CLIENT, "chat",
                deflate, clientConfig);
        return new WebSockets(p, server, client);
    }

    static WebSockets webSockets(WebSocketConfig config) throws IOException {
        return webSockets(config, config, null);
    }

    record WebSockets(Pair pair, WebSocketConnection server, WebSocketConnection client) implements AutoCloseable {
        @Override
        public void close() {
            client.abort();
            server.abort();
            pair.close();
        }
    }

    @Override
    public void close() {
        try {
            serverSide.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            clientSide.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
