package io.loomsocket.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seed's pages and views, served for real on a free port. */
@IntegrationTest
class DemoTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private ChannelLayer layer;
    private HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();

    @BeforeEach
    void start() throws IOException {
        layer = ChannelLayers.fromSetting("memory");
        server = DemoApp.app(Settings.builder().environment(Map.of()).port(0).set("debug", true).build(), layer).start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
        layer.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pagesHaveTheSeedsControlsAndLoadNothingFromTheNetwork() throws Exception {
        var index = get("/index/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("id=\"message\"", "id=\"send_message\"", "id=\"messages\"", "/echo_once");
        var index2 = get("/index2/");
        assertThat(index2.body()).contains("id=\"connect\"", "id=\"send\"", "id=\"close\"", "id=\"status\"", "'/echo'");
        for (String page : List.of(index.body(), index2.body())) {
            // every src/href is local: no CDN, no jQuery download
            var m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page);
            while (m.find()) assertThat(m.group(1)).startsWith("/");
        }
        assertThat(get("/static/demo.js").statusCode()).isEqualTo(200);
        assertThat(get("/static/demo.css").statusCode()).isEqualTo(200);
        assertThat(get("/").headers().firstValue("location")).hasValue("/index/");
    }

    @Test
    void aNameThatIsNotARoomGetsAPageWithTheRuleAndALinkBack() throws Exception {
        for (String path : List.of("/chat/my%20room!/", "/chat/a.b/", "/chat/" + "x".repeat(65) + "/", "/chat/a%2Fb/",
                "/chat/%3Cb%3Ebold%3C%2Fb%3E/")) {
            var page = get(path);
            assertThat(page.statusCode()).as(path).isEqualTo(404);
            assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(page.body()).as(path).contains("is not a room name", "1 to 64 letters, digits, _ and -",
                    "href=\"/chat/\"", "/static/demo.css").doesNotContain("<b>");
        }
        // room names: the page asks for a login (ChatLoginTest has the rest)
        assertThat(get("/chat/Lobby_2-b/").statusCode()).isEqualTo(302);
        assertThat(get("/chat/" + "x".repeat(64) + "/").statusCode()).isEqualTo(302);
        assertThat(get("/chat/-lead/").statusCode()).isEqualTo(302); // [A-Za-z0-9_-]{1,64}: any of them may lead
        assertThat(get("/chat/_/").statusCode()).isEqualTo(302);
        assertThat(get("/chat/_stats").statusCode()).isEqualTo(200);
    }

    @Test
    void theFaviconIsServedWhereBrowsersLookForIt() throws Exception {
        var ico = get("/favicon.ico");
        assertThat(ico.statusCode()).isEqualTo(302);
        assertThat(ico.headers().firstValue("location")).hasValue("/static/favicon.ico");
        assertThat(get("/static/favicon.ico").headers().firstValue("content-type")).hasValue("image/x-icon");
        assertThat(get("/static/favicon.svg").headers().firstValue("content-type")).hasValue("image/svg+xml");
        assertThat(get("/index/").body()).contains("<link rel=\"icon\" href=\"/static/favicon.svg\"");
    }

    @Test
    void commandLineArgumentsOverrideTheEnvironment() {
        Settings s = DemoApp.settings(new String[] {"--port", "9123", "--host", "0.0.0.0"});
        assertThat(s.port()).isEqualTo(9123);
        assertThat(s.host()).isEqualTo("0.0.0.0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoApp.settings(new String[] {"--prt", "1"}))
                .hasMessageContaining("--prt");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoApp.settings(new String[] {"--port", "high"}))
                .hasMessageContaining("'port'");
    }

    @Test
    void settingsFileWithATypoIsAStartUpError() throws IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("demo", ".properties");
        try {
            java.nio.file.Files.writeString(file, "websocket.acept_all=true\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoApp.settings(new String[] {"--settings", file.toString()}))
                    .hasMessageContaining("websocket.acept_all").hasMessageContaining("websocket.accept_all");
            java.nio.file.Files.writeString(file, "websocket.accept_all=true\nport=0\n");
            Settings s = DemoApp.settings(new String[] {"--settings", file.toString(), "--port", "9001"});
            assertThat(s.webSocketAcceptAll()).isTrue();
            assertThat(s.port()).isEqualTo(9001);
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
