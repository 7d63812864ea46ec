package io.loomsocket.test;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Response;
import io.loomsocket.web.WebApp;
import io.loomsocket.web.WebSocketMiddleware;
import io.loomsocket.web.auth.AuthenticationMiddleware;
import io.loomsocket.web.auth.CsrfMiddleware;
import io.loomsocket.web.auth.SessionMiddleware;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** forceLogin, logout and the CSRF token of the test client against an app with Django's middleware. */
@IntegrationTest
class TestClientLoginTest {
    @RegisterExtension
    static final TestServerExtension server = TestServerExtension.of(settings -> WebApp.builder().settings(settings)
            .middleware(new WebSocketMiddleware(), new SessionMiddleware(settings), new CsrfMiddleware(), new AuthenticationMiddleware())
            .urls(path("^who$", r -> Response.text(r.user().isAuthenticated() ? r.user().username() : "anonymous")),
                  path("^post$", r -> Response.text("posted " + r.form().get("x", "-"))),
                  path("^ws$", requireWebSocket(r -> {
                      r.websocket().send(r.user().username());
                      return null;
                  })))
            .build());

    @Test
    void forceLoginMakesHttpAndWebSocketsThatUsersAndLogoutForgetsIt() {
        TestClient client = server.client();
        assertThat(client.get("/who").text()).isEqualTo("anonymous");
        client.forceLogin("ada");
        assertThat(client.get("/who").text()).isEqualTo("ada");
        try (TestWebSocket ws = client.websocket("/ws")) {
            ws.expectText("ada");
        }
        client.logout();
        assertThat(client.get("/who").text()).isEqualTo("anonymous");
    }

    @Test
    void aPostCarriesTheCsrfTokenUnlessTheClientEnforcesTheCheck() {
        TestClient client = server.client();
        TestResponse ok = client.postForm("/post", Map.of("x", "1"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.text()).isEqualTo("posted 1");
        TestResponse refused = client.enforcingCsrf().postForm("/post", Map.of("x", "2"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text()).contains("CSRF");
    }

    @Test
    void forceLoginWithoutSessionMiddlewareSaysWhatIsMissing() {
        try (TestServer plain = TestServer.start(path("^x$", r -> Response.text("x")))) {
            assertThatThrownBy(() -> plain.client().forceLogin("ada"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("SessionMiddleware");
        }
    }
}
