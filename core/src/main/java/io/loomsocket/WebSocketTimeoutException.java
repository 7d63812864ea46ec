package io.loomsocket;

/** A receive, ping or send waited longer than its time limit. The connection may still be open. */
public class WebSocketTimeoutException extends WebSocketException {
    public WebSocketTimeoutException(String message) { super(message); }
}
