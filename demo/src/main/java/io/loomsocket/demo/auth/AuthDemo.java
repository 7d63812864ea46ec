package io.loomsocket.demo.auth;

import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.requireWebSocket;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.web.Middleware;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.UrlPattern;
import io.loomsocket.web.WebSocketMiddleware;
import java.util.List;

/**
 * The demo's authenticated WebSocket: {@code ws://HOST:PORT/secure_echo?token=TOKEN} echoes
 * every message prefixed with the user's name; without a token the handshake gets 401, with a
 * wrong one 403, both before any upgrade ({@link TokenAuthMiddleware}). The token is
 * {@value #DEFAULT_TOKEN} unless the environment variable {@code DEMO_AUTH_TOKEN} sets another.
 *
 * <pre>
 *   const ws = new WebSocket(`ws://${location.host}/secure_echo?token=demo-token`);
 * </pre>
 */
public final class AuthDemo {
    /** The demo's token when {@code DEMO_AUTH_TOKEN} is not set. A demo, not a secret. */
    public static final String DEFAULT_TOKEN = "demo-token";
    /** The guarded URL. */
    public static final String PATH = "/secure_echo";

    private AuthDemo() {}

    /** The token clients must present. */
    public static String token() {
        String env = System.getenv("DEMO_AUTH_TOKEN");
        return env == null || env.isBlank() ? DEFAULT_TOKEN : env.strip();
    }

    /** URL patterns of the example: {@code /secure_echo}. */
    public static List<UrlPattern> urls() {
        return List.of(path("^secure_echo$", requireWebSocket(AuthDemo::secureEcho), "secure-echo"));
    }

    /**
     * The demo's middleware chain: the WebSocket middleware (handshake validation, same-origin
     * check) and then the token check for {@link #PATH}.
     */
    public static List<Middleware> middleware() {
        return List.of(new WebSocketMiddleware(), new TokenAuthMiddleware(token(), "demo-user", List.of(PATH)));
    }

    /** Runs only for authenticated handshakes: echoes each message as "USER: message". */
    static Response secureEcho(Request request) {
        WebSocket ws = request.websocket();
        String user = (String) request.attributes().get(TokenAuthMiddleware.USER);
        for (Message m : ws) {
            if (m.isText()) ws.send(user + ": " + m.text());
            else ws.send(m.bytes());
        }
        return null;
    }
}
