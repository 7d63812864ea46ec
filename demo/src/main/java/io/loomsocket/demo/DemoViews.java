package io.loomsocket.demo;

import static io.loomsocket.web.Views.render;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.web.AcceptWebSocket;
import io.loomsocket.web.Request;
import io.loomsocket.web.RequireWebSocket;
import io.loomsocket.web.Response;

/**
 * The views of dwebsocket's seed example, registered by scanning this class
 * ({@code Views.scan(new DemoViews())}): the annotations play the part of dwebsocket's
 * {@code @accept_websocket} and {@code @require_websocket}.
 */
public final class DemoViews {

    /** The seed's first page: a message box and a Send button that uses {@code /echo_once}. */
    public Response index(Request request) {
        return render(request, "index.html");
    }

    /** The seed's second page: Connect, Send and Close on {@code /echo}. */
    public Response index2(Request request) {
        return render(request, "index2.html");
    }

    /** Receives one message, sends it back, and returns: the connection then closes with 1000. */
    @RequireWebSocket
    public void echoOnce(Request request) {
        WebSocket ws = request.websocket();
        ws.receive().ifPresent(ws::send);
    }

    /**
     * Over WebSocket: echoes every message, text as text and binary as binary, until the client
     * closes. Over plain HTTP: {@code ?message=} comes back as text; without it, the first page.
     */
    @AcceptWebSocket
    public Response echo(Request request) {
        if (!request.isWebSocket()) {
            return request.query().first("message").map(Response::text).orElseGet(() -> render(request, "index.html"));
        }
        WebSocket ws = request.websocket();
        for (Message message : ws) ws.send(message);
        return null;
    }
}
