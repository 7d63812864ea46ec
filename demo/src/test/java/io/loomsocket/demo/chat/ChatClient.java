package io.loomsocket.demo.chat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketTimeoutException;
import io.loomsocket.client.WebSocketClient;

import java.net.URI;
import java.time.Duration;

/** A test chat participant on loomsocket's own client: connect, send text, receive text with a timeout. */
final class ChatClient implements AutoCloseable {
    private static final WebSocketClient CLIENT = WebSocketClient.builder().connectTimeout(Duration.ofSeconds(10)).build();
    private final WebSocket ws;

    private ChatClient(WebSocket ws) { this.ws = ws; }

    static ChatClient connect(URI uri) { return new ChatClient(CLIENT.connect(uri)); }

    void send(String text) { ws.send(text); }

    /** The next message's text, or null after {@code timeout} (or once the connection closed). */
    String receive(Duration timeout) {
        try {
            return ws.receive(timeout).map(Message::text).orElse(null);
        } catch (WebSocketTimeoutException e) {
            return null;
        }
    }

    @Override
    public void close() { ws.close(); }
}
