package io.loomsocket.test.readme;

import static io.loomsocket.web.Views.*;
import static io.loomsocket.web.auth.Auth.loginRequired;

import io.loomsocket.Message;
import io.loomsocket.web.Settings;
import io.loomsocket.web.WebApp;
import io.loomsocket.web.WebSocketMiddleware;
import io.loomsocket.web.auth.AuthenticationMiddleware;
import io.loomsocket.web.auth.CsrfMiddleware;
import io.loomsocket.web.auth.SessionMiddleware;

/** The README's login-protected chat view ("Users and sessions"), in an app with the session middleware. */
final class Chat {
    private Chat() {}

    static WebApp app(Settings settings) {
        return WebApp.builder().settings(settings)
                .middleware(new WebSocketMiddleware(), new SessionMiddleware(settings), new CsrfMiddleware(), new AuthenticationMiddleware())
                .urls(path("^chat$", loginRequired(requireWebSocket(request -> {     // anonymous handshake: 403, never a 101
                    for (Message m : request.websocket()) request.websocket().send(request.user().username() + ": " + m.text());
                    return null;                                               // logout elsewhere closes it with 1008
                }))))
                .build();
    }
}
