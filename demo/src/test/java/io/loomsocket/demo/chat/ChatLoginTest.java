package io.loomsocket.demo.chat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.demo.DemoApp;
import io.loomsocket.test.TestServer;
import io.loomsocket.testing.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's chat behind its login: the page sends anonymous visitors to the login form, an
 * anonymous handshake gets 403, and a logged-in user's WebSocket speaks the chat's JSON under the
 * session's name. The page uses /static/loomsocket.js, whose global the demo's own script leaves alone.
 */
@IntegrationTest
class ChatLoginTest {
    ChannelLayer layer;
    TestServer server;

    @BeforeEach
    void start() {
        layer = ChannelLayers.fromSetting("memory");
        server = TestServer.start(settings -> DemoApp.app(settings, layer));
    }

    @AfterEach
    void stop() {
        server.close();
        layer.close();
    }

    @Test
    void anonymousVisitorsGoToTheLoginPageAndAnonymousHandshakesGet403() {
        var page = server.client().get("/chat/lobby/");
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.location()).hasValue("/login/?next=%2Fchat%2Flobby%2F");
        server.client().expectWebSocketRefused("/chat/lobby", 403);
    }

    @Test
    void theLoggedInPageNamesItsUserAndLoadsTheReconnectingScriptWithoutAClash() {
        var page = server.client().forceLogin("alice").get("/chat/lobby/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("data-user=\"alice\"", "<script src=\"/static/loomsocket.js\"></script>",
                "id=\"presence\"", "id=\"log\"", "id=\"message\"", "id=\"to\"");
        assertThat(server.client().get("/static/loomsocket.js").text()).contains("global.loomsocket = {");
        assertThat(server.client().get("/static/demo.js").text()).doesNotContain("loomsocket =").contains("var demo = {");
    }

    @Test
    void theWebSocketSpeaksTheChatsJsonAsTheSessionsUser() {
        try (var alice = server.client().forceLogin("alice").websocket("/chat/lobby")) {
            assertThat(alice.receiveText()).isEqualTo("{\"type\":\"presence\",\"users\":[\"alice\"]}");
            try (var bob = server.client().forceLogin("bob").websocket("/chat/lobby")) {
                assertThat(bob.receiveText()).isEqualTo("{\"type\":\"presence\",\"users\":[\"alice\",\"bob\"]}");
                assertThat(alice.receiveText()).isEqualTo("{\"type\":\"join\",\"user\":\"bob\"}");
                bob.sendText("{\"type\":\"message\",\"text\":\"hi all\"}");
                for (var ws : new io.loomsocket.test.TestWebSocket[] {alice, bob}) {
                    JsonNode m = ws.receiveJson(JsonNode.class);
                    assertThat(m.path("type").asString()).isEqualTo("message");
                    assertThat(m.path("id").asString()).matches("\\d+-\\d+");
                    assertThat(m.path("user").asString()).isEqualTo("bob");
                    assertThat(m.path("text").asString()).isEqualTo("hi all");
                    assertThat(m.path("ts").isNumber()).isTrue();
                }
                bob.sendText("{\"type\":\"direct\",\"to\":\"alice\",\"text\":\"psst\"}");
                alice.expectText("{\"type\":\"direct\",\"from\":\"bob\",\"text\":\"psst\"}");
            }
            alice.expectText("{\"type\":\"leave\",\"user\":\"bob\"}");
        }
    }

    /**
     * A first load gets the room's backlog before the presence. Every name of [A-Za-z0-9_-]{1,64} is
     * a room, "_stats" too: its WebSocket is the room's, while a plain GET of /chat/_stats stays the counters.
     */
    @Test
    void aFirstLoadGetsTheBacklogAndEveryNameOfThePatternIsARoom() {
        for (String room : new String[] {"_stats", "-lead", "a".repeat(64)}) {
            try (var alice = server.client().forceLogin("alice").websocket("/chat/" + room)) {
                assertThat(alice.receiveText()).isEqualTo("{\"type\":\"presence\",\"users\":[\"alice\"]}");
                alice.sendText("{\"type\":\"message\",\"text\":\"said before bob came\"}");
                JsonNode said = alice.receiveJson(JsonNode.class);
                try (var bob = server.client().forceLogin("bob").websocket("/chat/" + room)) {
                    assertThat(bob.receiveJson(JsonNode.class)).as(room).isEqualTo(said); // the backlog, id included
                    assertThat(bob.receiveText()).isEqualTo("{\"type\":\"presence\",\"users\":[\"alice\",\"bob\"]}");
                }
            }
        }
        var stats = server.client().get("/chat/_stats");
        assertThat(stats.status()).isEqualTo(200);
        assertThat(stats.text()).contains("\"layer\":\"MemoryChannelLayer\"");
    }
}
