package io.loomsocket.bench.peers;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.extensions.permessage_deflate.PerMessageDeflateExtension;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * Java-WebSocket 1.6's echo: a WebSocketServer with its defaults (one selector thread, one
 * decoder thread per core) that sends each message back from onMessage.
 */
public final class JavaWebSocketEchoServer extends WebSocketServer {
    private final int port;
    private final boolean deflate;

    private JavaWebSocketEchoServer(int port, boolean deflate, List<Draft> drafts) {
        super(new InetSocketAddress("127.0.0.1", port), drafts);
        this.port = port;
        this.deflate = deflate;
    }

    public static void main(String[] args) {
        PeerArgs a = PeerArgs.parse("JavaWebSocketEchoServer", args);
        List<Draft> drafts = a.deflate() ? List.of(new Draft_6455(new PerMessageDeflateExtension())) : List.of(new Draft_6455());
        JavaWebSocketEchoServer s = new JavaWebSocketEchoServer(a.port(), a.deflate(), drafts);
        s.setReuseAddr(true);
        s.start();
    }

    @Override
    public void onStart() {
        PeerArgs.announce("java-websocket" + (deflate ? "-deflate" : ""), port);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        // nothing to set up: every message is echoed
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        conn.send(message);
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        conn.send(message);
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        // nothing to release
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        if (conn == null) {
            System.err.println("java-websocket server error: " + ex);
            System.exit(1);
        }
    }
}
