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
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat page in a real browser (headless Chromium through chromedriver's W3C WebDriver HTTP
 * API, no client library): a page on one server and a loomsocket client on another, through Redis.
 */
class ChatBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    int driverPort;

    @Test
    void thePageTalksToEveryServerOfTheRoomAndShowsMessagesAsText() throws Exception {
        for (String bin : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"})
            if (!Files.isExecutable(Path.of(bin))) throw new IllegalStateException(bin + " is missing: run scripts/install-peers.sh");
        try (var s = new ServerSocket(0)) {
            driverPort = s.getLocalPort();
        }
        Process driver = new ProcessBuilder("/usr/bin/chromedriver", "--port=" + driverPort)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (var redis = RedisProcess.start();
             var a = ChatProcess.start(redis.uri());
             var b = ChatProcess.start(redis.uri());
             var other = ChatClient.connect(b.room("browser"))) {
            await(() -> { try { call("GET", "/status", null); return true; } catch (IOException e) { return false; } }, "chromedriver");
            String session = find(call("POST", "/session", """
                    {"capabilities":{"alwaysMatch":{"goog:chromeOptions":{"args":["--headless","--no-sandbox","--disable-gpu"]}}}}"""),
                    "\"sessionId\":\"([^\"]+)\"");
            String s = "/session/" + session;
            try {
                call("POST", s + "/url", "{\"url\":\"http://127.0.0.1:" + a.port() + "/chat/browser/\"}");
                await(() -> script(s, "return document.getElementById('status').textContent").contains("connected to room browser"), "page connected");
                // the browser's subscription on server a is asynchronous: repeat until the page shows it
                await(() -> {
                    other.send("<b>bold?</b> from server b");
                    Thread.sleep(200);
                    return script(s, "return document.getElementById('log').textContent").contains("from server b");
                }, "a message from server b on the page");
                assertThat(script(s, "return String(document.querySelectorAll('#log b').length)")).as("shown as text, not HTML").contains("0");
                String input = find(call("POST", s + "/element", "{\"using\":\"css selector\",\"value\":\"#message\"}"), "\"element-[^\"]+\":\"([^\"]+)\"");
                call("POST", s + "/element/" + input + "/value", "{\"text\":\"typed in the browser \u00e9\\n\"}");
                await(() -> {
                    for (String m; (m = other.receive(Duration.ofMillis(200))) != null; ) if (m.equals("typed in the browser \u00e9")) return true;
                    return false;
                }, "the typed message at the client on server b");
                await(() -> script(s, "return document.getElementById('log').textContent").contains("typed in the browser"), "the sender sees its own message");
            } finally {
                call("DELETE", s, null);
            }
        } finally {
            driver.destroy();
            driver.waitFor();
        }
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
