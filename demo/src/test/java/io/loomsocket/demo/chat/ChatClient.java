package io.loomsocket.demo.chat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketTimeoutException;
import io.loomsocket.client.WebSocketClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * A test chat participant on loomsocket's own client, logged in: sends chat messages
 * ({@code {"type":"message","text":...}}) and receives the texts of the room's messages, passing
 * over presence, join and leave.
 */
final class ChatClient implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final WebSocket ws;

    private ChatClient(WebSocket ws) { this.ws = ws; }

    /** Logs {@code user} in on {@code server} and joins {@code room} there. */
    static ChatClient connect(ChatProcess server, String room, String user) throws IOException, InterruptedException {
        return connect(server.room(room), server.login(user));
    }

    /** Joins the room at {@code uri} with the session cookie {@code cookie}. */
    static ChatClient connect(URI uri, String cookie) {
        var client = WebSocketClient.builder().connectTimeout(Duration.ofSeconds(10)).header("Cookie", cookie).build();
        return new ChatClient(client.connect(uri));
    }

    void send(String text) { ws.send(JSON.createObjectNode().put("type", "message").put("text", text).toString()); }

    /** The next JSON message from the server, or null after {@code timeout} (or once the connection closed). */
    JsonNode receiveJson(Duration timeout) {
        try {
            return ws.receive(timeout).map(m -> JSON.readTree(m.text())).orElse(null);
        } catch (WebSocketTimeoutException e) {
            return null;
        }
    }

    /** The text of the next chat message, or null after {@code timeout} (or once the connection closed). */
    String receive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (JsonNode m; (m = receiveJson(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) != null; ) {
            if (m.path("type").asString().equals("message")) return m.path("text").asString();
        }
        return null;
    }

    @Override
    public void close() { ws.close(); }
}
