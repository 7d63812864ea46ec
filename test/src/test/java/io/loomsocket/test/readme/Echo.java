package io.loomsocket.test.readme;

import io.loomsocket.Message;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;

/** The README's echo view ("A view in ten lines"), as a method. */
final class Echo {
    private Echo() {}

    static Response echo(Request request) {
        if (!request.isWebSocket()) return Response.text("use a WebSocket");
        for (Message m : request.websocket()) request.websocket().send(m);
        return null;
    }
}
