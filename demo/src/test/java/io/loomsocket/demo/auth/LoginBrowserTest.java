package io.loomsocket.demo.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.MemoryChannelLayer;
import io.loomsocket.demo.DemoApp;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.Await;
import io.loomsocket.testing.Chromedriver;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The login flow in a real browser (headless Chromium through chromedriver's W3C WebDriver HTTP
 * API): the login link, the form with its CSRF token, the session cookie, the name on the page,
 * logging out.
 */
@IntegrationTest
class LoginBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aBrowserLogsInThroughTheFormSeesItsNameAndLogsOut() throws Exception {
        ChannelLayer layer = new MemoryChannelLayer();
        HttpServer server = DemoApp.app(Settings.builder().environment(Map.of()).port(0).set("debug", true).build(), layer).start();
        try (var driver = Chromedriver.start(); var b = driver.browser()) {
            String base = "http://127.0.0.1:" + server.port();
            b.open(base + "/index2/");
            assertThat(b.script("return document.getElementById('user') === null")).contains("true");
            b.click("#login_link");
            Await.until(WAIT, "the login page", () -> b.script("return location.pathname + location.search").contains("/login/?next=%2Findex2%2F"));
            assertThat(b.script("return document.body.textContent")).contains("no password");

            b.type("#username", "not a name!\\n");
            Await.until(WAIT, "the error for a bad name", () -> b.script("return String(document.getElementById('error') && document.getElementById('error').textContent)")
                    .contains("1 to 32 letters"));

            b.script("document.getElementById('username').value = ''");
            b.type("#username", "chromium_user\\n");
            Await.until(WAIT, "back on the page of next", () -> b.script("return location.pathname").contains("/index2/"));
            Await.until(WAIT, "the name on the page", () -> b.script("return String(document.getElementById('user') && document.getElementById('user').textContent)")
                    .contains("logged in as chromium_user"));
            // the session cookie is HttpOnly: scripts see only the CSRF cookie
            String cookies = b.script("return document.cookie");
            assertThat(cookies).contains("csrftoken=").doesNotContain("sessionid");

            b.click("#log_out");
            Await.until(WAIT, "logged out", () -> b.script("return String(document.getElementById('login_link') !== null)").contains("true"));
            assertThat(b.script("return document.body.textContent")).doesNotContain("chromium_user");
        } finally {
            server.stop(Duration.ofSeconds(2));
            layer.close();
        }
    }
}
