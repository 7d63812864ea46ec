package io.loomsocket.web;

import io.loomsocket.WebSocket;
import java.io.IOException;
import java.util.List;

/**
 * A validated WebSocket handshake waiting for its view: {@link #accept} sends the 101 response
 * and opens the connection. Set on the request by {@link WebSocketMiddleware}; called by the
 * dispatcher only after every middleware has seen the request and the view agreed.
 */
interface WebSocketUpgrade {
    /**
     * Completes the handshake (RFC 6455 §4.2.2), choosing the first of the client's
     * subprotocols that {@code supported} lists, and returns the open WebSocket.
     */
    WebSocket accept(List<String> supported) throws IOException;
}
