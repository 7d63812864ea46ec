package io.loomsocket.web;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.engine.CloseCode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.core.type.TypeReference;

/**
 * JSON messages over a {@link WebSocket} (Channels' {@code JsonWebsocketConsumer}): each message
 * is one JSON document in a text message, written and read by the application's {@link Json}.
 *
 * <pre>{@code
 * record Chat(String room, String text) {}
 * JsonWebSocket ws = JsonWebSocket.of(request);
 * for (Optional<Chat> m; (m = ws.receive(Chat.class)).isPresent(); ) {
 *     ws.send(Map.of("echo", m.get().text()));
 * }
 * }</pre>
 *
 * <p>A message that cannot be read as the type asked for is an {@link InvalidMessageException},
 * and the WebSocket stays open: a view may catch it and answer the peer, or let it escape, and
 * then its WebSocket is closed with the exception's code (RFC 6455 §7.4.1):
 * <ul>
 *   <li><b>1007</b> (invalid payload data): a text message that is not JSON (RFC 8259), is over a
 *       {@code json.*} limit, or is well-formed JSON that does not map to the type (a missing or
 *       mistyped field, an array for an object): "data within a message that was not consistent
 *       with the type of the message". The reason says which, with Jackson's explanation.</li>
 *   <li><b>1003</b> (unsupported data): a binary message, which a JSON endpoint does not accept.</li>
 * </ul>
 * The same concurrency contract as the {@link WebSocket} it wraps: one receiving thread, sending
 * from any thread.
 */
public final class JsonWebSocket {
    private final WebSocket ws;
    private final Json json;

    private JsonWebSocket(WebSocket ws, Json json) {
        this.ws = Objects.requireNonNull(ws, "ws");
        this.json = Objects.requireNonNull(json, "json");
    }

    /** The request's WebSocket with its application's mapper. @throws IllegalStateException for plain HTTP */
    public static JsonWebSocket of(Request request) {
        return new JsonWebSocket(request.websocket(), request.app().json());
    }

    /** Any WebSocket (a client's too) with a mapper ({@link WebApp#json()}). */
    public static JsonWebSocket of(WebSocket ws, Json json) {
        return new JsonWebSocket(ws, json);
    }

    /** The wrapped WebSocket, for closing, pings and raw messages. */
    public WebSocket websocket() {
        return ws;
    }

    /** Sends {@code value} as one JSON text message. @throws IllegalArgumentException if it cannot be written as JSON */
    public void send(Object value) {
        ws.send(json.write(value));
    }

    /**
     * Blocks for the next message and reads it as {@code type}; empty once the connection is
     * closed (as {@link WebSocket#receive()}).
     *
     * @throws InvalidMessageException (1007 or 1003) if it is not JSON of that type; the connection stays open
     */
    public <T> Optional<T> receive(Class<T> type) {
        return ws.receive().map(m -> decode(m, type));
    }

    /** {@link #receive(Class)} for a generic type. */
    public <T> Optional<T> receive(TypeReference<T> type) {
        return ws.receive().map(m -> decode(m, type));
    }

    /**
     * Like {@link #receive(Class)} with a limit.
     *
     * @throws io.loomsocket.WebSocketTimeoutException if no message arrived in time (not a close)
     */
    public <T> Optional<T> receive(Class<T> type, Duration timeout) {
        return ws.receive(timeout).map(m -> decode(m, type));
    }

    /** {@link #receive(Class, Duration)} for a generic type. */
    public <T> Optional<T> receive(TypeReference<T> type, Duration timeout) {
        return ws.receive(timeout).map(m -> decode(m, type));
    }

    /** Reads one message already received (from {@code for (Message m : ws)}) as {@code type}. */
    public <T> T decode(Message message, Class<T> type) {
        return decode(message, bytes -> json.read(bytes, type));
    }

    /** {@link #decode(Message, Class)} for a generic type. */
    public <T> T decode(Message message, TypeReference<T> type) {
        return decode(message, bytes -> json.read(bytes, type));
    }

    private static <T> T decode(Message message, Function<byte[], T> read) {
        if (!(message instanceof Message.Text text)) {
            throw new InvalidMessageException(CloseCode.UNSUPPORTED_DATA, "expected a JSON text message, got binary");
        }
        try {
            return read.apply(text.bytes());
        } catch (JsonReadException e) {
            throw new InvalidMessageException(CloseCode.INVALID_PAYLOAD, e.getMessage(), e);
        }
    }
}
