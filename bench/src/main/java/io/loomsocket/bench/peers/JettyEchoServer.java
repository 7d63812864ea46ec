package io.loomsocket.bench.peers;

import java.nio.ByteBuffer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Jetty 12.1's WebSocket echo on its core (non-servlet) server: a ServerConnector with the
 * default QueuedThreadPool, WebSocketUpgradeHandler mapping /echo to an auto-demanding
 * listener that sends each message back. Jetty negotiates permessage-deflate whenever the
 * client offers it (its default), so the deflate variant is the same server.
 */
public final class JettyEchoServer {
    private JettyEchoServer() {}

    public static void main(String[] args) throws Exception {
        PeerArgs a = PeerArgs.parse("JettyEchoServer", args);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(a.port());
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container ->
                container.addMapping("/echo", (request, response, callback) -> new Echo())));
        server.start();
        PeerArgs.announce("jetty", a.port());
        server.join();
    }

    /** Echoes text and binary messages; Jetty demands more once each callback completes. */
    public static final class Echo implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session s) {
            this.session = s;
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            session.sendBinary(payload, callback);
        }
    }
}
