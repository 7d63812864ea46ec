package io.loomsocket.web;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.connection.Transport;
import io.loomsocket.connection.WebSocketConnection;
import io.loomsocket.engine.DeflateConfig;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.engine.Role;
import io.loomsocket.engine.ServerHandshake;
import io.loomsocket.server.HttpException;
import io.loomsocket.server.UpgradedConnection;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * dwebsocket's {@code WebSocketMiddleware}: recognises WebSocket handshake requests, validates
 * them with the engine's {@link ServerHandshake} (RFC 6455 §4.2.1; a bad one gets 400, a wrong
 * version 426), refuses browsers from other origins with 403 ({@code websocket.allowed_origins}),
 * and marks them so that {@link Request#isWebSocket()} is true. The upgrade itself
 * (the 101 response) happens only when the view is about to run, after every middleware saw the
 * request and the view agreed to take WebSockets: middleware placed anywhere in the chain can
 * still refuse the request with a plain HTTP response.
 *
 * <p>The view runs on the connection's virtual thread; when it returns, the WebSocket is closed
 * with 1000 (1011 if it threw). On graceful shutdown every open WebSocket is closed with 1001.
 */
public final class WebSocketMiddleware implements Middleware {

    @Override
    public Optional<Response> processRequest(Request request) {
        // RFC 6455 §4.2.1: an upgrade request names websocket in Upgrade; same test as ServerHandshake.isUpgradeRequest
        if (!request.headers().containsToken("Upgrade", "websocket")) return Optional.empty();
        HttpHeaders headers = request.headers();
        String method = request.method();
        String version = request.exchange().request().version();
        WebSocketConfig config = request.app().webSocketConfig();
        // Validate now with no subprotocols; the view's subprotocols are negotiated at the upgrade.
        DeflateConfig deflate = WebSocketConnection.deflateConfig(config);
        ServerHandshake.Result result = new ServerHandshake(List.of(), deflate).handshake(method, version, headers);
        if (result instanceof ServerHandshake.Reject reject) {
            request.app().refused(reject.status() == 426 ? "version" : "invalid", reject.status());
            Response r = Response.error(reject.status(), reject.reason());
            reject.responseHeaders().forEach(r::header);
            return Optional.of(r);
        }
        // RFC 6455 §10.2: refuse browsers on other sites (cross-site WebSocket hijacking). A browser
        // sends one Origin (RFC 6454 §7.3); with several, which to check is a guess: refused as well.
        List<String> origins = request.headers().getAll("Origin");
        if (origins.size() > 1) {
            request.app().refused("origin", 403);
            return Optional.of(Response.error(403, "more than one Origin header"));
        }
        if (!request.app().originPolicy().allows(origins.isEmpty() ? null : origins.get(0), request.host(), request.isSecure())) {
            request.app().refused("origin", 403);
            request.app().explainer().explain("origin", () -> "WebSocket handshake to " + AccessLog.printable(request.path())
                    + " refused with 403: its Origin '" + AccessLog.printable(request.header("Origin").orElse(""))
                    + "' is not this server's own (Host '" + AccessLog.printable(String.valueOf(request.host())) + "');"
                    + " allow it with the setting websocket.allowed_origins (environment WEBSOCKET_ALLOWED_ORIGINS)");
            return Optional.of(Response.error(403, "Origin not allowed (see websocket.allowed_origins)"));
        }
        ServerHandshake.Accept noSubprotocol = (ServerHandshake.Accept) result;
        request.pendingUpgrade(supported -> upgrade(request, headers, supported, config, deflate, noSubprotocol));
        return Optional.empty();
    }

    /**
     * Accepts with the view's subprotocols: a view that declares none takes the handshake already
     * made when the request came in (the accept key and the extension offers are not computed twice).
     */
    private static WebSocket upgrade(Request request, HttpHeaders headers, List<String> supported,
                                     WebSocketConfig config, DeflateConfig deflate, ServerHandshake.Accept noSubprotocol)
            throws IOException {
        ServerHandshake.Result result = supported.isEmpty() ? noSubprotocol
                : new ServerHandshake(supported, deflate).handshake(request.method(), request.exchange().request().version(), headers);
        if (!(result instanceof ServerHandshake.Accept accept)) {
            ServerHandshake.Reject reject = (ServerHandshake.Reject) result;
            throw new HttpException(reject.status(), reject.reason());
        }
        UpgradedConnection upgraded = request.exchange().upgrade(accept.responseHeaders());
        WebSocketConnection ws = WebSocketConnection.open(Transport.of(upgraded.socket()), upgraded.leftover(),
                Role.SERVER, accept.subprotocol(), accept.deflate(), config, request.app().connectionRuntime());
        upgraded.onShutdown(() -> ws.close(1001, "server shutting down")); // RFC 6455 §7.4.1: going away
        return ws;
    }

    @Override
    public String toString() {
        return "WebSocketMiddleware";
    }
}
