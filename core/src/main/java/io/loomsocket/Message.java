package io.loomsocket;

import io.loomsocket.engine.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One complete WebSocket message: text or binary, never confused (RFC 6455 §5.6).
 *
 * <pre>{@code
 * switch (message) {
 *     case Message.Text t -> ws.send(t.text());
 *     case Message.Binary b -> ws.send(b.data());
 * }
 * }</pre>
 */
public sealed interface Message permits Message.Text, Message.Binary {

    static Text text(String text) { return new Text(text); }

    static Binary binary(byte[] data) { return new Binary(data); }

    /** True for a text message (opcode 0x1), false for binary (0x2). */
    boolean isText();

    /** The text of a text message; for a binary message, its bytes decoded as UTF-8 (lenient). */
    String text();

    /** The bytes of a binary message; for a text message, its UTF-8 encoding. Callers own the array. */
    byte[] bytes();

    /** Payload length in bytes on the wire before compression (UTF-8 length for text). */
    int length();

    /** A text message; {@code text} is valid UTF-16 decoded from valid UTF-8. */
    record Text(String text) implements Message {
        public Text {
            if (text == null) throw new NullPointerException("text");
        }
        @Override public boolean isText() { return true; }
        @Override public byte[] bytes() { return text.getBytes(StandardCharsets.UTF_8); }
        @Override public int length() { return Utf8.encodedLength(text); }
    }

    /** A binary message. The array is not copied: do not change it after sending. */
    record Binary(byte[] data) implements Message {
        public Binary {
            if (data == null) throw new NullPointerException("data");
        }
        @Override public boolean isText() { return false; }
        @Override public String text() { return new String(data, StandardCharsets.UTF_8); }
        @Override public byte[] bytes() { return data; }
        @Override public int length() { return data.length; }
        @Override public boolean equals(Object o) { return o instanceof Binary b && Arrays.equals(data, b.data); }
        @Override public int hashCode() { return Arrays.hashCode(data); }
        @Override public String toString() { return "Binary[" + data.length + " bytes]"; }
    }
}
