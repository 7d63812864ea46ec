package io.loomsocket.web;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.connection.Transport;
import io.loomsocket.connection.WebSocketConnection;
import io.loomsocket.engine.ClientHandshake;
import io.loomsocket.engine.DeflateConfig;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.engine.Role;
import io.loomsocket.server.RawHttp;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A minimal WebSocket client for the server's tests, made from the engine's ClientHandshake and
 * core's WebSocketConnection over a raw socket (so refusals are visible as HTTP responses).
 */
final class WsTestClient {
    private WsTestClient() {}

    /** The server's answer: a WebSocket (status 101) or a refusal with its response. */
    record Outcome(int status, RawHttp.Response response, WebSocket ws, RawHttp raw) {}

    static Outcome connect(int port, String target, List<String> protocols, Map<String, String> extra, boolean deflate)
            throws IOException {
        RawHttp raw = new RawHttp(port);
        HttpHeaders extraHeaders = new HttpHeaders();
        extra.forEach(extraHeaders::add);
        ClientHandshake hs = new ClientHandshake("127.0.0.1:" + port, target, protocols,
                deflate ? DeflateConfig.DEFAULT : DeflateConfig.DISABLED, extraHeaders);
        raw.socket.getOutputStream().write(hs.requestBytes());
        RawHttp.Response r = raw.read(false);
        if (r.status() != 101) {
            raw.close();
            return new Outcome(r.status(), r, null, null);
        }
        HttpHeaders responseHeaders = new HttpHeaders();
        r.headers().forEach(responseHeaders::add);
        ClientHandshake.Accepted accepted = hs.validate(101, responseHeaders);
        raw.socket.setSoTimeout(0);
        WebSocket ws = WebSocketConnection.open(Transport.of(raw.socket), new byte[0], Role.CLIENT,
                accepted.subprotocol(), accepted.deflate(), WebSocketConfig.defaults());
        return new Outcome(101, r, ws, raw);
    }

    static WebSocket open(int port, String target) throws IOException {
        Outcome o = connect(port, target, List.of(), Map.of(), true);
        if (o.ws() == null) throw new IOException("handshake refused: " + o.status() + " " + o.response().text());
        return o.ws();
    }
}
