package io.loomsocket.demo.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.MemoryChannelLayer;
import io.loomsocket.demo.DemoApp;
import io.loomsocket.server.HttpServer;
import io.loomsocket.web.Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The login flow in a real browser (headless Chromium through chromedriver's W3C WebDriver HTTP
 * API): the login link, the form with its CSRF token, the session cookie, the name on the page,
 * logging out.
 */
class LoginBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    int driverPort;

    @Test
    void aBrowserLogsInThroughTheFormSeesItsNameAndLogsOut() throws Exception {
        for (String bin : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"})
            if (!Files.isExecutable(Path.of(bin))) throw new IllegalStateException(bin + " is missing: run scripts/install-peers.sh");
        try (var s = new ServerSocket(0)) {
            driverPort = s.getLocalPort();
        }
        Process driver = new ProcessBuilder("/usr/bin/chromedriver", "--port=" + driverPort)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ChannelLayer layer = new MemoryChannelLayer();
        HttpServer server = DemoApp.app(Settings.builder().environment(Map.of()).port(0).set("debug", true).build(), layer).start();
        try {
            await(() -> { try { call("GET", "/status", null); return true; } catch (IOException e) { return false; } }, "chromedriver");
            String session = find(call("POST", "/session", """
                    {"capabilities":{"alwaysMatch":{"goog:chromeOptions":{"args":["--headless","--no-sandbox","--disable-gpu"]}}}}"""),
                    "\"sessionId\":\"([^\"]+)\"");
            String s = "/session/" + session;
            String base = "http://127.0.0.1:" + server.port();
            try {
                call("POST", s + "/url", "{\"url\":\"" + base + "/index2/\"}");
                assertThat(script(s, "return document.getElementById('user') === null")).contains("true");
                click(s, "#login_link");
                await(() -> script(s, "return location.pathname + location.search").contains("/login/?next=%2Findex2%2F"), "the login page");
                assertThat(script(s, "return document.body.textContent")).contains("no password");

                typeInto(s, "#username", "not a name!\\n");
                await(() -> script(s, "return String(document.getElementById('error') && document.getElementById('error').textContent)")
                        .contains("1 to 32 letters"), "the error for a bad name");

                script(s, "document.getElementById('username').value = ''");
                typeInto(s, "#username", "chromium_user\\n");
                await(() -> script(s, "return location.pathname").contains("/index2/"), "back on the page of next");
                await(() -> script(s, "return String(document.getElementById('user') && document.getElementById('user').textContent)")
                        .contains("logged in as chromium_user"), "the name on the page");
                // the session cookie is HttpOnly: scripts see only the CSRF cookie
                String cookies = script(s, "return document.cookie");
                assertThat(cookies).contains("csrftoken=").doesNotContain("sessionid");

                click(s, "#log_out");
                await(() -> script(s, "return String(document.getElementById('login_link') !== null)").contains("true"), "logged out");
                assertThat(script(s, "return document.body.textContent")).doesNotContain("chromium_user");
            } finally {
                call("DELETE", s, null);
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
            layer.close();
            driver.destroy();
            driver.waitFor();
        }
    }

    private void click(String session, String css) throws Exception {
        call("POST", session + "/element/" + element(session, css) + "/click", "{}");
    }

    private void typeInto(String session, String css, String text) throws Exception {
        call("POST", session + "/element/" + element(session, css) + "/value", "{\"text\":\"" + text + "\"}");
    }

    private String element(String session, String css) throws Exception {
        return find(call("POST", session + "/element", "{\"using\":\"css selector\",\"value\":\"" + css + "\"}"), "\"element-[^\"]+\":\"([^\"]+)\"");
    }

    private String script(String session, String js) throws IOException, InterruptedException {
        return call("POST", session + "/execute/sync", "{\"script\":\"" + js.replace("\"", "\\\"") + "\",\"args\":[]}");
    }

    private String call(String method, String path, String body) throws IOException, InterruptedException {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + driverPort + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("WebDriver " + method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }

    private static String find(String json, String regex) {
        Matcher m = Pattern.compile(regex).matcher(json);
        if (!m.find()) throw new IllegalStateException("no " + regex + " in " + json);
        return m.group(1);
    }

    private static void await(Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }
}
