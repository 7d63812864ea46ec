package io.loomsocket.test;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketTimeoutException;
import io.loomsocket.web.Json;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.core.type.TypeReference;

/**
 * A client WebSocket with assertions (Channels' {@code WebsocketCommunicator}): send text, bytes
 * or JSON; receive the next message as what the test expects, or fail with an
 * {@link AssertionError} that says what arrived instead (another kind of message, nothing within
 * the {@linkplain #timeout(Duration) timeout}, or a close with its code and reason).
 *
 * <pre>{@code
 * try (TestWebSocket ws = client.websocket("/echo")) {
 *     ws.sendText("hello");
 *     ws.expectText("hello");
 *     ws.receiveNothing(Duration.ofMillis(100));
 * }
 * }</pre>
 *
 * Receiving is for the test's thread; {@link #websocket()} gives the underlying WebSocket for
 * anything else. {@link #close()} closes with 1000 (idempotent).
 */
public final class TestWebSocket implements AutoCloseable {
    /** How long a receive or an expected close waits by default. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final WebSocket ws;
    private final Json json;
    private Duration timeout = TIMEOUT;

    TestWebSocket(WebSocket ws, Json json) {
        this.ws = ws;
        this.json = json;
    }

    /** The underlying WebSocket. */
    public WebSocket websocket() {
        return ws;
    }

    /** How long each receive and {@link #expectClose(int)} waits from now on (default 5 s). */
    public TestWebSocket timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive: " + timeout);
        this.timeout = timeout;
        return this;
    }

    // ---- sending ----

    public void sendText(String text) {
        ws.send(text);
    }

    public void sendBytes(byte[] data) {
        ws.send(data);
    }

    /** Sends {@code value} as one JSON text message, written by the application's mapper. */
    public void sendJson(Object value) {
        ws.send(json.write(value));
    }

    // ---- receiving ----

    /** The next message, text or binary. @throws AssertionError if none arrives in time or the connection closes */
    public Message receive() {
        return next("a message");
    }

    /** The next message, which must be text. @throws AssertionError otherwise, saying what arrived */
    public String receiveText() {
        Message m = next("a text message");
        if (m instanceof Message.Text t) return t.text();
        throw new AssertionError("expected a text message, got " + Describe.message(m));
    }

    /** The next message, which must be binary. @throws AssertionError otherwise, saying what arrived */
    public byte[] receiveBytes() {
        Message m = next("a binary message");
        if (m instanceof Message.Binary b) return b.data();
        throw new AssertionError("expected a binary message, got " + Describe.message(m));
    }

    /** The next message, which must be a JSON text message of {@code type}. */
    public <T> T receiveJson(Class<T> type) {
        return receiveJson(type.getSimpleName(), text -> json.read(text, type));
    }

    /** {@link #receiveJson(Class)} for a generic type ({@code new TypeReference<List<Point>>() {}}). */
    public <T> T receiveJson(TypeReference<T> type) {
        return receiveJson(type.getType().getTypeName(), text -> json.read(text, type));
    }

    private <T> T receiveJson(String typeName, Function<String, T> read) {
        Message m = next("a JSON " + typeName);
        if (!(m instanceof Message.Text t)) throw new AssertionError("expected a JSON " + typeName + " text message, got " + Describe.message(m));
        try {
            return read.apply(t.text());
        } catch (RuntimeException e) {
            throw new AssertionError("expected a JSON " + typeName + ", got text " + Describe.quote(t.text()) + ": " + e.getMessage(), e);
        }
    }

    /** Asserts that the next message is text equal to {@code expected}. */
    public void expectText(String expected) {
        Message m = next("text " + Describe.quote(expected));
        if (!(m instanceof Message.Text t) || !t.text().equals(expected)) {
            throw new AssertionError("expected text " + Describe.quote(expected) + ", got " + Describe.message(m));
        }
    }

    /** Asserts that the next message is binary equal to {@code expected}. */
    public void expectBytes(byte[] expected) {
        Message m = next("binary of " + expected.length + " bytes");
        if (!(m instanceof Message.Binary b) || !Arrays.equals(b.data(), expected)) {
            throw new AssertionError("expected " + Describe.message(Message.binary(expected)) + ", got " + Describe.message(m));
        }
    }

    /**
     * Asserts that no message arrives and the connection stays open for {@code duration}
     * (a message sent to a group the WebSocket left, say, must not reach it).
     */
    public void receiveNothing(Duration duration) {
        Optional<Message> m;
        try {
            m = ws.receive(duration);
        } catch (WebSocketTimeoutException e) {
            return; // nothing came: what the test expects
        }
        String what = m.map(Describe::message).orElseGet(() -> Describe.closed(ws));
        throw new AssertionError("expected nothing for " + Describe.duration(duration) + ", got " + what);
    }

    /**
     * Asserts that the connection closes with {@code code} (by the server, or after the test's
     * own {@link #close(int, String)}) before any further message, within the timeout.
     *
     * @return the close reason
     */
    public String expectClose(int code) {
        Optional<Message> m;
        try {
            m = ws.receive(timeout);
        } catch (WebSocketTimeoutException e) {
            throw new AssertionError("expected close " + code + ", the connection is still open after " + Describe.duration(timeout));
        }
        if (m.isPresent()) throw new AssertionError("expected close " + code + ", got " + Describe.message(m.get()) + " first");
        int actual = ws.closeCode().orElse(-1);
        if (actual != code) {
            throw new AssertionError("expected close " + Describe.close(code, "") + ", " + Describe.closed(ws));
        }
        return ws.closeReason();
    }

    /** Starts the closing handshake with {@code code}; follow with {@link #expectClose(int)} to see the peer's answer. */
    public void close(int code, String reason) {
        ws.close(code, reason);
    }

    /** Closes with 1000 (idempotent). */
    @Override
    public void close() {
        ws.close();
    }

    private Message next(String expected) {
        Optional<Message> m;
        try {
            m = ws.receive(timeout);
        } catch (WebSocketTimeoutException e) {
            throw new AssertionError("expected " + expected + " within " + Describe.duration(timeout) + ", nothing arrived");
        }
        if (m.isEmpty()) throw new AssertionError("expected " + expected + ", but " + Describe.closed(ws));
        return m.get();
    }

    @Override
    public String toString() {
        return "TestWebSocket[" + ws.state() + "]";
    }
}
