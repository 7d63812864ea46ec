package io.loomsocket.client;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.connection.Transport;
import io.loomsocket.connection.WebSocketConnection;
import io.loomsocket.engine.HttpHead;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.engine.Role;
import io.loomsocket.engine.ServerHandshake;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A minimal WebSocket server for the client's tests (the real one lives in the server module):
 * one virtual thread per connection, the engine's ServerHandshake, then a handler on the
 * WebSocket, closed with 1000 when the handler returns (1011 if it throws).
 */
final class TestServer implements AutoCloseable {
    final ServerSocket serverSocket;
    final ConcurrentLinkedQueue<HttpHeaders> requests = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<WebSocket> sockets = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Socket> raw = new ConcurrentLinkedQueue<>();
    /** Server names (SNI) that TLS clients asked for. */
    final ConcurrentLinkedQueue<String> sniNames = new ConcurrentLinkedQueue<>();
    private final Thread acceptor;

    /**
     * @param responder null to run the WebSocket handshake; else answers every request itself
     *                  (given the request headers, returns the raw response to write, or null to stay silent)
     */
    TestServer(ServerSocket ss, List<String> subprotocols, WebSocketConfig config, Consumer<WebSocket> handler,
               Function<HttpHeaders, String> responder) {
        this.serverSocket = ss;
        ServerHandshake hs = new ServerHandshake(subprotocols, WebSocketConnection.deflateConfig(config));
        this.acceptor = Thread.ofVirtual().name("test-server-acceptor").start(() -> {
            while (!ss.isClosed()) {
                Socket s;
                try {
                    s = ss.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> serve(s, hs, config, handler, responder));
            }
        });
    }

    static TestServer start(List<String> subprotocols, WebSocketConfig config, Consumer<WebSocket> handler)
            throws IOException {
        return new TestServer(bind(), subprotocols, config, handler, null);
    }

    static TestServer echo() throws IOException {
        return start(List.of(), WebSocketConfig.defaults(), ws -> {
            for (var m : ws) ws.send(m);
        });
    }

    static TestServer on(ServerSocket ss, Consumer<WebSocket> handler) {
        return new TestServer(ss, List.of(), WebSocketConfig.defaults(), handler, null);
    }

    static TestServer raw(Function<HttpHeaders, String> responder) throws IOException {
        return new TestServer(bind(), List.of(), WebSocketConfig.defaults(), ws -> { }, responder);
    }

    static ServerSocket bind() throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return ss;
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    String uri(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    private void serve(Socket s, ServerHandshake hs, WebSocketConfig config, Consumer<WebSocket> handler,
                       Function<HttpHeaders, String> responder) {
        try {
            raw.add(s);
            s.setTcpNoDelay(true);
            if (s instanceof javax.net.ssl.SSLSocket tls) {
                tls.startHandshake();
                if (tls.getSession() instanceof javax.net.ssl.ExtendedSSLSession ext) {
                    ext.getRequestedServerNames().forEach(n -> sniNames.add(
                            new String(n.getEncoded(), StandardCharsets.US_ASCII)));
                }
            }
            HttpHead head = HttpHead.read(s.getInputStream());
            requests.add(head.headers());
            OutputStream out = s.getOutputStream();
            if (responder != null) {
                String response = responder.apply(head.headers());
                if (response == null) return; // stay silent; the socket stays open until close()
                out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                s.close();
                return;
            }
            HttpHead.RequestLine line = head.requestLine();
            switch (hs.handshake(line.method(), line.version(), head.headers())) {
                case ServerHandshake.Reject r -> {
                    out.write(("HTTP/1.1 " + r.status() + " Bad\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    s.close();
                }
                case ServerHandshake.Accept a -> {
                    out.write(ServerHandshake.responseBytes(a));
                    out.flush();
                    WebSocket ws = WebSocketConnection.open(Transport.of(s), head.leftover(), Role.SERVER,
                            a.subprotocol(), a.deflate(), config);
                    sockets.add(ws);
                    try {
                        handler.accept(ws);
                        ws.close(1000, "");
                    } catch (RuntimeException e) {
                        ws.close(1011, "handler failed");
                    }
                }
            }
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // done
            }
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (WebSocket ws : sockets) ws.abort();
        for (Socket s : raw) s.close();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
