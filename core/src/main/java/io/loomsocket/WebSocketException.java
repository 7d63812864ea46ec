package io.loomsocket;

/** Base of the exceptions the WebSocket API throws. Unchecked, so views stay plain lambdas. */
public class WebSocketException extends RuntimeException {
    public WebSocketException(String message) { super(message); }
    public WebSocketException(String message, Throwable cause) { super(message, cause); }
}
