package io.loomsocket.demo.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.MemoryChannelLayer;
import io.loomsocket.demo.DemoApp;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Settings;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo's /login/ and /logout/ over HTTP (JDK HttpClient with a cookie jar, no redirects followed). */
@IntegrationTest
class LoginTest {
    ChannelLayer layer;
    HttpServer server;
    HttpClient browser;

    @BeforeEach
    void start() throws Exception {
        layer = new MemoryChannelLayer();
        server = DemoApp.app(Settings.builder().environment(Map.of()).port(0).set("debug", true).build(), layer).start();
        browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
        layer.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String form) throws Exception {
        return browser.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    String token(String page) throws Exception {
        Matcher m = Pattern.compile("name=\"csrfmiddlewaretoken\" value=\"([A-Za-z0-9]+)\"").matcher(get(page).body());
        assertThat(m.find()).as("CSRF token on " + page).isTrue();
        return m.group(1);
    }

    HttpResponse<String> login(String name, String next) throws Exception {
        return post("/login/", "username=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)
                + "&csrfmiddlewaretoken=" + token("/login/"));
    }

    @Test
    void theLoginPageSaysThereIsNoPasswordAndLoggingInShowsTheNameOnTheIndexPage() throws Exception {
        var page = get("/login/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("no password", "1 to 32 letters, digits");
        assertThat(get("/index/").body()).contains("id=\"login_link\"").doesNotContain("logged in as");
        var in = login("ada_L-1", "/index/");
        assertThat(in.statusCode()).isEqualTo(302);
        assertThat(in.headers().firstValue("location")).contains("/index/");
        assertThat(get("/index/").body()).contains("logged in as <strong>ada_L-1</strong>", "id=\"log_out\"");
        var out = post("/logout/", "csrfmiddlewaretoken=" + token("/index/"));
        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(get("/index/").body()).doesNotContain("logged in as");
    }

    @Test
    void nextMayOnlyBeAPathOnThisSite() throws Exception {
        assertThat(login("bob", "/index2/?x=1").headers().firstValue("location")).contains("/index2/?x=1");
        for (String next : List.of("//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example",
                "javascript:alert(1)", "evil.example", "/caf\u00e9", "")) {
            assertThat(login("bob", next).headers().firstValue("location")).as("next=%s", next).contains("/index/");
        }
        // and on logout
        var out = post("/logout/", "next=" + URLEncoder.encode("//evil.example", StandardCharsets.UTF_8) + "&csrfmiddlewaretoken=" + token("/index/"));
        assertThat(out.headers().firstValue("location")).contains("/index/");
        // the login form carries only a local next
        assertThat(get("/login/?next=//evil.example").body()).contains("name=\"next\" value=\"\"");
    }

    @Test
    void aNameOutsideTheRulesIsRefusedWith400() throws Exception {
        for (String name : List.of("", "a b", "x".repeat(33), "caf\u00e9", "<script>")) {
            var r = login(name, "/index/");
            assertThat(r.statusCode()).as("name '%s'", name).isEqualTo(400);
            assertThat(r.body()).contains("A name is 1 to 32 letters").doesNotContain("<script>");
        }
        assertThat(login("x".repeat(32), "/").statusCode()).isEqualTo(302);
    }

    @Test
    void loginAndLogoutNeedTheCsrfTokenAndLogoutNeedsPost() throws Exception {
        get("/login/"); // the csrftoken cookie
        var noToken = post("/login/", "username=eve");
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(noToken.body()).contains("CSRF token missing.");
        login("eve", "/");
        assertThat(get("/logout/").statusCode()).isEqualTo(405);
        assertThat(post("/logout/", "").statusCode()).isEqualTo(403);
        assertThat(get("/index/").body()).contains("logged in as <strong>eve</strong>");
    }
}
