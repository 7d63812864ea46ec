package io.loomsocket.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the engine reports from the bytes it receives ({@link MessageAssembler},
 * {@link WebSocketProtocol}). Data arrives either as whole messages ({@link Text}, {@link Binary})
 * or, in streaming mode, as {@link StreamStart} / {@link StreamData}... / {@link StreamEnd}.
 * Control frames are reported as they come, also between the fragments of a message (RFC 6455
 * §5.4). {@link Failure} comes only from {@link WebSocketProtocol}: the assembler throws
 * {@link ProtocolException} instead.
 */
public sealed interface Event {

    /**
     * A complete text message; the text was validated as UTF-8 (RFC 6455 §8.1), and
     * {@code length} is the size of that UTF-8 payload in bytes.
     */
    record Text(String text, int length) implements Event {
        /** A text message whose UTF-8 length is computed from {@code text}. */
        public Text(String text) {
            this(text, Utf8.encodedLength(text));
        }
    }

    /** A complete binary message. The array belongs to the receiver. */
    record Binary(byte[] data) implements Event {
        @Override public boolean equals(Object o) { return o instanceof Binary b && Arrays.equals(data, b.data); }
        @Override public int hashCode() { return Arrays.hashCode(data); }
        @Override public String toString() { return "Binary[" + data.length + " bytes]"; }
    }

    /** Streaming mode: a data message begins; {@link StreamData} chunks and one {@link StreamEnd} follow. */
    record StreamStart(boolean text) implements Event {}

    /**
     * Streaming mode: the next chunk of the current message (never empty), at most
     * {@link EngineConfig#streamChunkSize()} bytes. For a text message the bytes are valid UTF-8 so
     * far, and every chunk ends on a code point boundary, so each chunk decodes on its own.
     */
    record StreamData(byte[] data) implements Event {
        @Override public boolean equals(Object o) { return o instanceof StreamData d && Arrays.equals(data, d.data); }
        @Override public int hashCode() { return Arrays.hashCode(data); }
        @Override public String toString() { return "StreamData[" + data.length + " bytes]"; }
    }

    /** Streaming mode: the current message ended (its final fragment arrived and validated). */
    record StreamEnd() implements Event {}

    /** A ping (RFC 6455 §5.5.2): answer with a pong carrying the same payload, before queued data. */
    record Ping(byte[] payload) implements Event {
        @Override public boolean equals(Object o) { return o instanceof Ping p && Arrays.equals(payload, p.payload); }
        @Override public int hashCode() { return Arrays.hashCode(payload); }
        @Override public String toString() { return "Ping[" + payload.length + " bytes]"; }
    }

    /** A pong (RFC 6455 §5.5.3), solicited or not. */
    record Pong(byte[] payload) implements Event {
        @Override public boolean equals(Object o) { return o instanceof Pong p && Arrays.equals(payload, p.payload); }
        @Override public int hashCode() { return Arrays.hashCode(payload); }
        @Override public String toString() { return "Pong[" + payload.length + " bytes]"; }
    }

    /**
     * A close frame (RFC 6455 §5.5.1), validated: {@code code} is {@link CloseCode#NO_STATUS} (1005)
     * when the frame had no payload, otherwise a code for which
     * {@link CloseCode#isValidReceived(int)} holds; {@code reason} is valid UTF-8, possibly empty.
     * After this event the assembler reports nothing more (§5.5.1: no data after close).
     */
    record Close(int code, String reason) implements Event {
        /** The payload to echo back in our close frame: the code only, as §5.5.1 suggests; empty for 1005. */
        public byte[] echoPayload() {
            return code == CloseCode.NO_STATUS ? new byte[0] : new byte[] {(byte) (code >> 8), (byte) code};
        }

        static Close parse(byte[] payload) {
            if (payload.length == 0) {
                return new Close(CloseCode.NO_STATUS, "");
            }
            if (payload.length == 1) {
                throw ProtocolException.protocol("close frame with a 1-byte payload (RFC 6455 §5.5.1)");
            }
            int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            if (!CloseCode.isValidReceived(code)) {
                throw ProtocolException.protocol("invalid close code " + code + " (RFC 6455 §7.4)");
            }
            if (!Utf8Validator.isValid(payload, 2, payload.length - 2)) {
                throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "close reason is not valid UTF-8 (RFC 6455 §5.5.1)");
            }
            return new Close(code, new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
        }
    }

    /**
     * The peer broke RFC 6455 or RFC 7692, or exceeded a limit, right after the events reported
     * before this one (those were complete and stand). Nothing follows. The connection must be
     * failed with {@code closeCode} (RFC 6455 §7.1.7) through {@link WebSocketProtocol#fail}; until
     * then the application may still answer what it received.
     *
     * @param closeCode 1002, 1007, 1009 or 1010 (see {@link ProtocolException#closeCode()})
     * @param reason    fits a close frame (at most 123 UTF-8 bytes)
     */
    record Failure(int closeCode, String reason) implements Event {}
}
