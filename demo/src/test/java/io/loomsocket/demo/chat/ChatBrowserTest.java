package io.loomsocket.demo.chat;

import io.loomsocket.testing.Await;
import io.loomsocket.testing.Chromedriver;
import io.loomsocket.testing.Chromedriver.Browser;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat page in a real browser (headless Chromium through chromedriver's W3C WebDriver HTTP
 * API, no client library): alice and bob log in through the form, each in a browser of their own
 * on a server of their own (one Redis), see each other's messages, the presence list and
 * join/leave lines; alice's server restarts, and her page shows what bob said meanwhile and sends
 * what she typed while it was down.
 */
@IntegrationTest
class ChatBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void twoUsersChatAndAPageSurvivesItsServersRestart() throws Exception {
        ChatProcess a = null;
        try (var driver = Chromedriver.start();
             var redis = RedisProcess.start();
             var b = ChatProcess.start(redis.uri())) {
            a = ChatProcess.start(redis.uri());
            try (Browser alice = driver.browser(); Browser bob = driver.browser()) {
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
                assertThat(bob.script("return String(document.querySelectorAll('#log b').length)")).as("shown as text, not HTML").contains("\"0\"");
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
            }
        } finally {
            if (a != null) a.close();
        }
    }

    /** Opens the room, is sent to the login form, logs in there and is back on the connected room. */
    private static void login(Browser b, ChatProcess server, String user) throws Exception {
        b.open("http://127.0.0.1:" + server.port() + "/chat/browser/");
        assertThat(b.script("return location.pathname + location.search")).contains("/login/?next=");
        b.type("input[name=username]", user + "\\n");
        await(() -> text(b, "status").contains("connected to room browser as " + user), user + "'s page connected");
    }

    private static void type(Browser b, String message) throws Exception {
        b.type("#message", message + "\\n");
    }

    /** The text of the element with that id (list items one a line). */
    private static String text(Browser b, String id) throws Exception {
        String json = b.script("return Array.from(document.getElementById('" + id + "').children).map(e => e.textContent).join('\\n')"
                + " || document.getElementById('" + id + "').textContent");
        return Chromedriver.find(json, "\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"").replace("\\n", "\n").replace("\\\"", "\"").replace("\\u003C", "<")
                .replace("\\u003E", ">");
    }

    private static void await(Callable<Boolean> condition, String what) throws Exception {
        Await.until(WAIT, what, condition);
    }
}
