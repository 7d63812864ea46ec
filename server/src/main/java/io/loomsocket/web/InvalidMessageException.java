package io.loomsocket.web;

import io.loomsocket.WebSocketException;
import io.loomsocket.engine.CloseCode;

/**
 * A message the view cannot take, with the close code that says why (RFC 6455 §7.4.1): thrown by
 * {@link JsonWebSocket} for a message that is not JSON (1007), not of the type asked for (1007)
 * or binary (1003). The WebSocket stays open: a view may catch it and answer the peer. A view
 * that lets it escape has its WebSocket closed with {@link #closeCode()} and
 * {@link #closeReason()} (not 1011, and not logged as a failure of the view).
 */
public class InvalidMessageException extends WebSocketException {
    private final int closeCode;

    /** Without a cause; see {@link #InvalidMessageException(int, String, Throwable)}. */
    public InvalidMessageException(int closeCode, String message) {
        this(closeCode, message, null);
    }

    /**
     * @param closeCode a code that may be sent (1003, 1007, 1008, 1009, 3000-4999, ...)
     * @param message   the reason; the close frame carries its first 123 UTF-8 bytes
     */
    public InvalidMessageException(int closeCode, String message, Throwable cause) {
        super(message, cause);
        if (!CloseCode.isValidToSend(closeCode)) {
            throw new IllegalArgumentException("close code " + closeCode + " may not be sent (RFC 6455 §7.4)");
        }
        this.closeCode = closeCode;
    }

    public int closeCode() {
        return closeCode;
    }

    /** The message cut to the 123 UTF-8 bytes a close frame has room for (RFC 6455 §5.5). */
    public String closeReason() {
        return CloseCode.fitReason(getMessage());
    }
}
