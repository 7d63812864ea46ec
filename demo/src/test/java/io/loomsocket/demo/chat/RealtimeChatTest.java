package io.loomsocket.demo.chat;

import io.loomsocket.WebSocket;
import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.testing.RedisProcess;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Settings;
import io.loomsocket.web.WebApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.requireWebSocket;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RealtimeChat} on two servers (two apps, each with its own Redis layer, on one real
 * Redis), with loomsocket clients; the user comes from an {@code X-User} header here (the login's
 * session in the demo).
 */
@IntegrationTest
class RealtimeChatTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final JsonMapper JSON = JsonMapper.builder().build();
    RedisProcess redis;
    final List<AutoCloseable> closing = new ArrayList<>();
    HttpServer one, two;

    HttpServer server() throws Exception {
        ChannelLayer layer = ChannelLayers.fromSetting(redis.uri());
        closing.add(layer);
        var chat = new RealtimeChat(layer, r -> r.header("X-User"));
        HttpServer s = WebApp.builder().settings(Settings.builder().environment(Map.of()).port(0).build())
                .urls(path("^chat/(?<room>" + ChatViews.ROOM + ")$", requireWebSocket(chat::socket))).build().start();
        closing.add(() -> s.stop(Duration.ofMillis(200)));
        return s;
    }

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        one = server();
        two = server();
    }

    @AfterEach
    void stop() throws Exception {
        for (var c : closing.reversed()) c.close();
        redis.close();
    }

    WebSocket connect(HttpServer s, String user, String query) {
        WebSocket ws = WebSocketClient.builder().header("X-User", user).build()
                .connect(URI.create("ws://127.0.0.1:" + s.port() + "/chat/lobby" + query));
        closing.add(ws::abort);
        return ws;
    }

    static JsonNode next(WebSocket ws) {
        return JSON.readTree(ws.receive(WAIT).orElseThrow().text());
    }

    /** The next message of {@code type}, skipping others. */
    static JsonNode next(WebSocket ws, String type) {
        while (true) {
            JsonNode m = next(ws);
            if (m.path("type").asString().equals(type)) return m;
        }
    }

    @Test
    void presenceMessagesDirectMessagesAndResumeAcrossTwoServers() throws Exception {
        WebSocket alice = connect(one, "alice", "");
        assertThat(next(alice).toString()).isEqualTo("{\"type\":\"presence\",\"users\":[\"alice\"]}");
        WebSocket bob = connect(two, "bob", "");
        assertThat(next(bob).toString()).isEqualTo("{\"type\":\"presence\",\"users\":[\"alice\",\"bob\"]}");
        assertThat(next(alice).toString()).isEqualTo("{\"type\":\"join\",\"user\":\"bob\"}");
        WebSocket bob2 = connect(one, "bob", ""); // bob's second connection: no second join
        assertThat(next(bob2, "presence").toString()).isEqualTo("{\"type\":\"presence\",\"users\":[\"alice\",\"bob\"]}");

        alice.send("{\"type\":\"message\",\"text\":\"hi all\"}");
        JsonNode atAlice = next(alice, "message"), atBob = next(bob, "message"), atBob2 = next(bob2, "message");
        assertThat(atAlice).isEqualTo(atBob).isEqualTo(atBob2);
        assertThat(atAlice.path("user").asString()).isEqualTo("alice");
        assertThat(atAlice.path("text").asString()).isEqualTo("hi all");
        assertThat(atAlice.path("id").asString()).matches("\\d+-\\d+");
        assertThat(atAlice.path("ts").isNumber()).isTrue();
        String firstId = atAlice.path("id").asString();

        WebSocket carol = connect(two, "carol", "");
        next(carol, "presence");
        alice.send("{\"type\":\"direct\",\"to\":\"bob\",\"text\":\"psst\"}");
        String direct = "{\"type\":\"direct\",\"from\":\"alice\",\"text\":\"psst\"}";
        assertThat(next(bob, "direct").toString()).isEqualTo(direct);
        assertThat(next(bob2, "direct").toString()).isEqualTo(direct);

        for (int i = 2; i <= 4; i++) bob.send("{\"type\":\"message\",\"text\":\"m" + i + "\"}");
        for (int i = 2; i <= 4; i++) assertThat(next(carol, "message").path("text").asString()).isEqualTo("m" + i);
        assertThat(carol.read()).isEmpty(); // no direct message reached carol
        WebSocket late = connect(one, "dave", "?since=" + firstId);
        for (int i = 2; i <= 4; i++) assertThat(next(late).path("text").asString()).isEqualTo("m" + i); // exactly what it missed
        assertThat(next(late).toString()).isEqualTo("{\"type\":\"resumed\",\"complete\":true}");
        assertThat(next(late, "presence").path("users").toString()).isEqualTo("[\"alice\",\"bob\",\"carol\",\"dave\"]");

        bob2.close();
        bob.close();
        assertThat(next(alice, "leave").toString()).isEqualTo("{\"type\":\"leave\",\"user\":\"bob\"}");
    }

    /** Sends {@code text} (or binary data) on a new connection and returns the close code and reason it gets. */
    String closedBy(Object message) {
        WebSocket ws = connect(one, "alice", "");
        next(ws, "presence");
        if (message instanceof String t) ws.send(t);
        else ws.send((byte[]) message);
        while (ws.receive(WAIT).isPresent()) { /* until closed */ }
        return ws.closeCode().orElseThrow() + " " + ws.closeReason();
    }

    /** As docs/json.md says: 1007 for what is not JSON and for JSON of another shape, 1003 for binary. */
    @Test
    void badInputClosesWithTheCodeOfItsKind() throws Exception {
        assertThat(closedBy("hello")).startsWith("1007 ").contains("not JSON");
        assertThat(closedBy("{\"type\":\"message\",\"text\":")).startsWith("1007 ").contains("not JSON"); // truncated
        assertThat(closedBy("{\"type\":\"shout\",\"text\":\"x\"}")).startsWith("1007 ").contains("\"message\" or \"direct\"");
        assertThat(closedBy("{\"type\":\"message\"}")).startsWith("1007 ").contains("\"text\" string");
        assertThat(closedBy("[\"message\",\"hi\"]")).startsWith("1007 ");
        assertThat(closedBy("{\"type\":\"direct\",\"text\":\"psst\"}")).startsWith("1007 ").contains("\"to\" user");
        assertThat(closedBy(new byte[] {1, 2, 3})).startsWith("1003 ");
        WebSocket badSince = connect(two, "bob", "?since=nonsense");
        while (badSince.receive(WAIT).isPresent()) { /* until closed */ }
        assertThat(badSince.closeCode()).hasValue(1008);
    }

    /** A first load (no since): the room's kept messages, oldest first, then the presence, then live messages. */
    @Test
    void aConnectionWithoutSinceGetsTheRoomsBacklogFirst() throws Exception {
        WebSocket alice = connect(one, "alice", "");
        next(alice, "presence");
        var said = new ArrayList<JsonNode>();
        for (int i = 1; i <= 3; i++) {
            alice.send("{\"type\":\"message\",\"text\":\"m" + i + "\"}");
            said.add(next(alice, "message"));
        }
        WebSocket carol = connect(two, "carol", ""); // on the other server
        for (JsonNode m : said) assertThat(next(carol)).isEqualTo(m); // the same messages, ids included
        assertThat(next(carol).toString()).isEqualTo("{\"type\":\"presence\",\"users\":[\"alice\",\"carol\"]}");
        alice.send("{\"type\":\"message\",\"text\":\"m4\"}");
        assertThat(next(carol).path("text").asString()).isEqualTo("m4");
    }
}
