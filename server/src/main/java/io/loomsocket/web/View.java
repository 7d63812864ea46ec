package io.loomsocket.web;

/**
 * A view: a request in, a response out (Django's view function). Lambdas and method references
 * fit. For a WebSocket request the view talks through {@code request.websocket()} and its
 * return value is ignored (return null; the server logs a warning for a response); the WebSocket is closed with 1000 when it returns,
 * 1011 if it throws. Mark views that take WebSockets with {@link Views#acceptWebSocket} or
 * {@link Views#requireWebSocket} (or the annotations).
 */
@FunctionalInterface
public interface View {
    Response handle(Request request) throws Exception;
}
