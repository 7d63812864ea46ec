package io.loomsocket;

/** A send, ping or stream operation on a connection that is closing or closed. */
public class WebSocketClosedException extends WebSocketException {
    private final int closeCode;
    private final String closeReason;

    public WebSocketClosedException(int closeCode, String closeReason) {
        super("WebSocket is closed (" + closeCode + (closeReason.isEmpty() ? "" : " " + closeReason) + ")");
        this.closeCode = closeCode;
        this.closeReason = closeReason;
    }

    /** The connection's close code (see {@link WebSocket#closeCode()}). */
    public int closeCode() { return closeCode; }

    public String closeReason() { return closeReason; }
}
