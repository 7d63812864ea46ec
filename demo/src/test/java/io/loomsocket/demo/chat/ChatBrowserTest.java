package io.loomsocket.demo.chat;

import io.loomsocket.channels.RedisProcess;
import org.junit.jupiter.api.Test;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat page in a real browser (headless Chromium through chromedriver's W3C WebDriver HTTP
 * API, no client library): alice and bob log in through the form, each in a browser of their own
 * on a server of their own (one Redis), see each other's messages, the presence list and
 * join/leave lines; alice's server restarts, and her page shows what bob said meanwhile and sends
 * what she typed while it was down.
 */
class ChatBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    int driverPort;

    @Test
    void twoUsersChatAndAPageSurvivesItsServersRestart() throws Exception {
        for (String bin : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"})
            if (!Files.isExecutable(Path.of(bin))) throw new IllegalStateException(bin + " is missing: run scripts/install-peers.sh");
        try (var s = new ServerSocket(0)) {
            driverPort = s.getLocalPort();
        }
        Process driver = new ProcessBuilder("/usr/bin/chromedriver", "--port=" + driverPort)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ChatProcess a = null;
        try (var redis = RedisProcess.start();
             var b = ChatProcess.start(redis.uri())) {
            a = ChatProcess.start(redis.uri());
            await(() -> { try { call("GET", "/status", null); return true; } catch (IOException e) { return false; } }, "chromedriver");
            String alice = browser(), bob = browser();
            try {
                login(alice, a, "alice");
                await(() -> text(alice, "presence").equals("alice"), "alice's presence list");
                login(bob, b, "bob");
                await(() -> text(bob, "presence").equals("alice\nbob"), "bob's presence list");
                await(() -> text(alice, "presence").equals("alice\nbob") && text(alice, "log").contains("bob joined"), "bob joins on alice's page");
                // Redis subscriptions are asynchronous: alice says hello until bob's page shows it
                await(() -> {
                    type(alice, "<b>hello</b> bob");
                    Thread.sleep(300);
                    return text(bob, "log").contains("alice: <b>hello</b> bob");
                }, "alice's message on bob's page");
                assertThat(script(bob, "return String(document.querySelectorAll('#log b').length)")).as("shown as text, not HTML").contains("\"0\"");
                type(bob, "hi alice");
                await(() -> text(alice, "log").contains("bob: hi alice") && text(bob, "log").contains("bob: hi alice"), "bob's message on both pages");

                int port = a.port();
                a.close(); // SIGTERM: closes alice's WebSocket with 1001; her page reconnects by itself
                a = null;
                await(() -> text(bob, "log").contains("alice left"), "alice leaves on bob's page");
                type(bob, "said while alice was away");
                type(alice, "typed while the server was down");
                a = ChatProcess.start(redis.uri(), Map.of(), port);
                await(() -> text(alice, "log").contains("bob: said while alice was away"), "what was said meanwhile on alice's page");
                await(() -> text(bob, "log").contains("alice: typed while the server was down"), "what alice typed while down, on bob's page");
                await(() -> text(bob, "log").contains("alice joined") && text(alice, "presence").equals("alice\nbob"), "alice back");
                assertThat(text(alice, "log").split("bob: said while alice was away", -1)).as("shown once").hasSize(2);
            } finally {
                call("DELETE", alice, null);
                call("DELETE", bob, null);
            }
        } finally {
            if (a != null) a.close();
            driver.destroy();
            driver.waitFor();
        }
    }

    /** A new Chromium session; returns its WebDriver path. */
    private String browser() throws Exception {
        return "/session/" + find(call("POST", "/session", """
                {"capabilities":{"alwaysMatch":{"goog:chromeOptions":{"args":["--headless","--no-sandbox","--disable-gpu"]}}}}"""),
                "\"sessionId\":\"([^\"]+)\"");
    }

    /** Opens the room, is sent to the login form, logs in there and is back on the connected room. */
    private void login(String s, ChatProcess server, String user) throws Exception {
        call("POST", s + "/url", "{\"url\":\"http://127.0.0.1:" + server.port() + "/chat/browser/\"}");
        assertThat(script(s, "return location.pathname + location.search")).contains("/login/?next=");
        call("POST", s + "/element/" + element(s, "input[name=username]") + "/value", "{\"text\":\"" + user + "\\n\"}");
        await(() -> text(s, "status").contains("connected to room browser as " + user), user + "'s page connected");
    }

    private void type(String s, String message) throws Exception {
        call("POST", s + "/element/" + element(s, "#message") + "/value", "{\"text\":\"" + message + "\\n\"}");
    }

    private String element(String s, String css) throws Exception {
        return find(call("POST", s + "/element", "{\"using\":\"css selector\",\"value\":\"" + css + "\"}"), "\"element-[^\"]+\":\"([^\"]+)\"");
    }

    /** The text of the element with that id (list items one a line). */
    private String text(String s, String id) throws Exception {
        String json = script(s, "return Array.from(document.getElementById('" + id + "').children).map(e => e.textContent).join('\\n')"
                + " || document.getElementById('" + id + "').textContent");
        return find(json, "\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"").replace("\\n", "\n").replace("\\\"", "\"").replace("\\u003C", "<")
                .replace("\\u003E", ">");
    }

    private String script(String session, String js) throws IOException, InterruptedException {
        return call("POST", session + "/execute/sync", "{\"script\":\"" + js.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"args\":[]}");
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
