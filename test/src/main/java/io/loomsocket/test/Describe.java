package io.loomsocket.test;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.engine.CloseCode;
import java.time.Duration;

/** What arrived, in words, for the kit's failure messages. */
final class Describe {
    /** Characters of a text shown before it is cut. */
    private static final int TEXT_SHOWN = 200;
    /** Bytes of binary data shown, in hex, before it is cut. */
    private static final int BYTES_SHOWN = 32;

    private Describe() {}

    /** {@code text 'hello'} or {@code binary of 4 bytes: 00 01 02 fe}. */
    static String message(Message m) {
        return switch (m) {
            case Message.Text t -> "text " + quote(t.text());
            case Message.Binary b -> "binary of " + b.data().length + " bytes" + (b.data().length == 0 ? "" : ": " + hex(b.data()));
        };
    }

    static String quote(String s) {
        String shown = s.length() > TEXT_SHOWN ? s.substring(0, TEXT_SHOWN) + "... (" + s.length() + " characters)" : s;
        return "'" + shown + "'";
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, BYTES_SHOWN); i++) {
            if (i > 0) sb.append(' ');
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        if (b.length > BYTES_SHOWN) sb.append(" ...");
        return sb.toString();
    }

    /** {@code 1007 (INVALID_PAYLOAD) 'malformed JSON: ...'}. */
    static String close(int code, String reason) {
        return code + " (" + CloseCode.name(code) + ")" + (reason.isEmpty() ? "" : " " + quote(reason));
    }

    /** How a closed WebSocket ended: {@code the connection closed with 1011 (INTERNAL_ERROR) 'view failed'}. */
    static String closed(WebSocket ws) {
        return ws.closeCode().isPresent()
                ? "the connection closed with " + close(ws.closeCode().getAsInt(), ws.closeReason())
                : "the connection closed";
    }

    /** {@code 5 s} or {@code 250 ms}. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
