package io.loomsocket.test;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Response;
import io.loomsocket.web.WebApp;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test client's HTTP, cookie jar, redirects and WebSockets against a real server. */
@IntegrationTest
class TestClientTest {
    record Greeting(String name, int times) {}

    @RegisterExtension
    static final TestServerExtension server = TestServerExtension.of(settings -> WebApp.builder().settings(settings).urls(
            path("^set$", r -> Response.text("set").setCookie("flavour", "oat")),
            path("^show$", r -> Response.json(r.cookies())),
            path("^go$", r -> Response.redirect("/show")),
            path("^form$", r -> Response.text(r.method() + " " + r.form().get("name", "-"))),
            path("^greet$", r -> {
                Greeting g = r.json(Greeting.class);
                return Response.json(new Greeting(g.name().toUpperCase(), g.times() + 1));
            }),
            path("^plain$", r -> Response.text("no WebSockets here")),
            path("^who$", requireWebSocket(r -> {
                Map<String, String> seen = new LinkedHashMap<>(r.cookies());
                seen.put("origin", r.header("Origin").orElse("-"));
                r.websocket().send(r.app().json().write(seen));
                return null;
            })))
            .build());

    @Test
    void cookiesTheServerSetsAreSentBack() {
        TestClient client = server.client();
        assertThat(client.get("/show").text()).isEqualTo("{}");
        assertThat(client.get("/set").headers("Set-Cookie")).containsExactly("flavour=oat; Path=/; HttpOnly; SameSite=Lax");
        assertThat(client.cookie("flavour")).contains("oat");
        assertThat(client.get("/show").text()).isEqualTo("{\"flavour\":\"oat\"}");
        assertThat(server.client().get("/show").text()).as("another client has its own jar").isEqualTo("{}");
    }

    @Test
    void aCookieAddedInOneCallGoesWithHttpAndWebSockets() {
        TestClient client = server.client().setCookie("sessionid", "abc123");
        assertThat(client.get("/show").text()).isEqualTo("{\"sessionid\":\"abc123\"}");
        try (TestWebSocket ws = client.websocket("/who")) {
            assertThat(ws.receiveJson(Map.class)).isEqualTo(Map.of("sessionid", "abc123", "origin", server.server().origin()));
        }
        client.removeCookie("sessionid");
        assertThat(client.cookies()).isEmpty();
        assertThat(client.get("/show").text()).isEqualTo("{}");
    }

    @Test
    void redirectsAreFollowedOnlyWhenAsked() {
        TestClient client = server.client().setCookie("a", "1");
        TestResponse r = client.get("/go");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.location()).contains("/show");
        assertThat(r.toString()).startsWith("302 Location: /show");
        TestResponse followed = client.followingRedirects().get("/go");
        assertThat(followed.status()).isEqualTo(200);
        assertThat(followed.text()).as("the same cookie jar").isEqualTo("{\"a\":\"1\"}");
    }

    @Test
    void formsAndJson() {
        TestClient client = server.client();
        assertThat(client.postForm("/form", Map.of("name", "J\u00fcrg & co")).text()).isEqualTo("POST J\u00fcrg & co");
        TestResponse r = client.postJson("/greet", new Greeting("ann", 1));
        assertThat(r.header("content-type")).contains("application/json");
        assertThat(r.json(Greeting.class)).isEqualTo(new Greeting("ANN", 2));
        assertThatThrownBy(() -> client.get("/form").json(Greeting.class))
                .isInstanceOf(AssertionError.class).hasMessageContaining("expected a JSON Greeting body").hasMessageContaining("GET -");
    }

    @Test
    void refusedUpgradesAreAssertedWithTheirStatus() {
        TestClient client = server.client();
        client.expectWebSocketRefused("/plain", 400);
        client.expectWebSocketRefused("/nowhere", 404);
        assertThatThrownBy(() -> client.expectWebSocketRefused("/plain", 403))
                .hasMessage("expected the WebSocket upgrade of /plain to be refused with HTTP 403, the server answered HTTP 400");
        assertThatThrownBy(() -> client.expectWebSocketRefused("/who", 403))
                .hasMessage("expected the WebSocket upgrade of /who to be refused with HTTP 403, it was accepted");
        assertThatThrownBy(() -> client.websocket("/plain"))
                .hasMessage("expected the WebSocket upgrade of /plain to succeed, the server answered HTTP 400");
        assertThatThrownBy(() -> client.misbehaving("/plain"))
                .hasMessage("expected the WebSocket upgrade of /plain to succeed, the server answered HTTP 400");
    }
}
