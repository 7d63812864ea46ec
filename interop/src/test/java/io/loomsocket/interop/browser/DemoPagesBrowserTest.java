package io.loomsocket.interop.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.demo.DemoApp;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.json.Json;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Every page of the demo in headless Chromium, the demo run as {@code DemoApp} runs it (its own
 * middleware and the server's security headers): each page loads with nothing on the console at
 * warning level or above and no request answered with an error or failed, the favicon included;
 * each HTML page has the shared nav and stylesheet. A room name that is not one is refused by the
 * room form (its {@code pattern} compiles under the {@code v} flag) and, in the URL, gets a page
 * that explains the rule and links back to {@code /chat/}.
 */
@IntegrationTest
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoPagesBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    static ChannelLayer layer;
    static HttpServer server;

    Chromium chromium;

    @BeforeAll
    static void startServer() throws Exception {
        layer = ChannelLayers.fromSetting("memory");
        server = DemoApp.app(Settings.builder().environment(Map.of()).host("127.0.0.1").port(0).set("debug", true).build(), layer).start();
    }

    @AfterAll
    static void stopServer() {
        try {
            if (server != null) server.stop(Duration.ofSeconds(2));
        } finally {
            if (layer != null) layer.close();
        }
    }

    /** A fresh browser for each test: nothing cached (the icon, a failed icon) from another test. */
    @BeforeEach
    void startBrowser() throws Exception {
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        chromium = new Chromium(logs);
    }

    @AfterEach
    void stopBrowser() {
        if (chromium != null) chromium.close();
    }

    static String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    @Test
    void everyPageLoadsWithNoConsoleMessageAndNoFailedRequestFaviconIncluded() {
        ChromeDriver d = chromium.driver();
        Loads loads = new Loads();
        for (String page : List.of("/index/", "/index2/", "/echo", "/", "/login/", "/chat/")) {
            d.get(url(page));
            // the icon is fetched after the load event: wait for its answer before the next page
            new WebDriverWait(d, WAIT).withMessage(() -> "no icon after " + page + "; so far: " + loads.problems())
                    .until(x -> loads.read(d).answered(url("/static/favicon.svg")) || loads.answered(url("/favicon.ico")));
        }
        // into a room through the form, as a user does (the form checks the name on submit)
        d.findElement(By.id("room-name")).sendKeys("lobby\n");
        throughLogin(d, "lobby");
        // the JSON page, and /favicon.ico, where browsers look for an icon a page does not name
        for (String page : List.of("/chat/_stats", "/favicon.ico")) {
            d.get(url(page));
            loads.read(d);
        }
        assertThat(loads.problems()).as("console messages and failed requests").isEmpty();
        assertThat(loads.status(url("/favicon.ico"))).as("/favicon.ico").isEqualTo(302);
        assertThat(loads.status(url("/static/favicon.ico"))).as("/static/favicon.ico").isEqualTo(200);
        assertThat(loads.contentType(url("/static/favicon.ico"))).isEqualTo("image/x-icon");
        assertThat(loads.contentType(url("/static/favicon.svg"))).isEqualTo("image/svg+xml");
        assertThat(loads.withoutNosniff()).as("responses without X-Content-Type-Options: nosniff").isEmpty();
    }

    /** The room's page asks for a login (unless this browser has one): log in on the form, back to the connected room. */
    static void throughLogin(ChromeDriver d, String room) {
        String page = url("/chat/" + room + "/");
        new WebDriverWait(d, WAIT).until(x -> d.getCurrentUrl().startsWith(url("/login/")) || d.getCurrentUrl().equals(page));
        if (d.getCurrentUrl().startsWith(url("/login/"))) d.findElement(By.name("username")).sendKeys("tester\n");
        new WebDriverWait(d, WAIT).until(ExpectedConditions.urlToBe(page));
        new WebDriverWait(d, WAIT).until(ExpectedConditions.textToBe(By.id("status"), "connected to room " + room + " as tester"));
    }

    @Test
    void everyHtmlPageHasTheBaseTemplatesNavStylesheetAndIcon() {
        ChromeDriver d = chromium.driver();
        for (String page : List.of("/index/", "/index2/", "/echo", "/chat/", "/chat/lobby/", "/login/")) {
            d.get(url(page));
            assertSharedLayout(d, page);
        }
    }

    @Test
    void aBadRoomNameIsRefusedByTheFormAndExplainedInTheUrl() {
        ChromeDriver d = chromium.driver();
        Loads loads = new Loads();
        d.get(url("/chat/"));
        WebElement name = d.findElement(By.id("room-name"));
        name.sendKeys("my room!");
        assertThat(script(d, "var i = document.getElementById('room-name');"
                + " return [document.getElementById('pick').checkValidity(), i.validity.patternMismatch];"))
                .as("the form refuses 'my room!' (checkValidity, patternMismatch)").isEqualTo(List.of(false, true));
        name.clear();
        name.sendKeys("Lobby_2-b\n");
        throughLogin(d, "Lobby_2-b");

        List<String> expected404 = new ArrayList<>();
        for (String[] bad : new String[][] {{"/chat/my%20room!/", "my room!"}, {"/chat/a.b/", "a.b"},
                {"/chat/" + "x".repeat(65) + "/", "x".repeat(65)}, {"/chat/a%2Fb/", "a/b"}}) {
            d.get(url(bad[0]));
            expected404.add(url(bad[0]));
            assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("No such chat room");
            assertThat(d.findElement(By.id("problem")).getText())
                    .contains("\u201c" + bad[1] + "\u201d is not a room name", "1 to 64 letters, digits, _ and -");
            assertSharedLayout(d, bad[0]);
            loads.read(d);
            assertThat(loads.status(url(bad[0]))).as(bad[0]).isEqualTo(404);
        }
        d.findElement(By.id("back")).click();
        new WebDriverWait(d, WAIT).until(ExpectedConditions.urlToBe(url("/chat/")));
        loads.read(d);
        assertThat(loads.problems()).as("console messages and failed requests other than the bad rooms' own 404")
                .allMatch(p -> expected404.stream().anyMatch(p::contains));
    }

    /** The base template's parts: the nav, the one stylesheet (loaded, as text/css), the icon, no page styles. */
    static void assertSharedLayout(ChromeDriver d, String page) {
        assertThat(script(d, "return document.querySelectorAll('nav a[href=\"/chat/\"]').length")).as(page + ": nav").isEqualTo(1L);
        assertThat(script(d, "return Array.from(document.styleSheets).filter(function (s) {"
                + " return s.href && s.href.endsWith('/static/demo.css') && s.cssRules.length > 0; }).length"))
                .as(page + ": /static/demo.css applied").isEqualTo(1L);
        assertThat(script(d, "return document.querySelectorAll('style, [style]').length")).as(page + ": inline styles").isEqualTo(0L);
        assertThat(script(d, "return document.querySelector('link[rel=icon]').getAttribute('href')")).as(page + ": icon")
                .isEqualTo("/static/favicon.svg");
    }

    static Object script(ChromeDriver d, String js) {
        return ((JavascriptExecutor) d).executeScript(js);
    }

    /**
     * What the browser reported since the last read: console messages ({@code browser} log) and
     * the DevTools Network events ({@code performance} log). The logs empty on each read.
     */
    static final class Loads {
        private final List<String> problems = new ArrayList<>();
        private final Map<String, Map<String, Object>> responses = new LinkedHashMap<>();
        private final Map<String, String> requested = new HashMap<>(); // request id -> URL

        Loads read(ChromeDriver d) {
            for (LogEntry e : d.manage().logs().get(LogType.BROWSER)) {
                if (e.getLevel().intValue() >= Level.WARNING.intValue()) problems.add("console " + e.getLevel() + ": " + e.getMessage());
            }
            for (LogEntry e : d.manage().logs().get(LogType.PERFORMANCE)) {
                Map<String, Object> message = map(map(new Json().toType(e.getMessage(), Map.class)).get("message"));
                Map<String, Object> params = map(message.get("params"));
                switch ((String) message.get("method")) {
                    case "Network.responseReceived" -> {
                        Map<String, Object> response = map(params.get("response"));
                        String url = (String) response.get("url");
                        if (url.startsWith("data:") || url.startsWith("chrome:")) break; // the browser's own new tab page
                        responses.put(url, response);
                        if (((Number) response.get("status")).intValue() >= 400) problems.add("network " + response.get("status") + ": " + url);
                    }
                    case "Network.requestWillBeSent" -> {
                        requested.put((String) params.get("requestId"), (String) map(params.get("request")).get("url"));
                        // a redirect ends one response inside the next request's event
                        if (params.get("redirectResponse") != null) {
                            Map<String, Object> response = map(params.get("redirectResponse"));
                            responses.put((String) response.get("url"), response);
                        }
                    }
                    case "Network.loadingFailed" -> {
                        // a request that started before the log did is the fresh browser's own start-up
                        // navigation (net::ERR_NAME_NOT_RESOLVED with no network access), not a page's
                        String url = requested.get((String) params.get("requestId"));
                        if (url != null) problems.add("network failed: " + params.get("errorText") + " " + url);
                    }
                    default -> { }
                }
            }
            return this;
        }

        boolean answered(String url) {
            return responses.containsKey(url);
        }

        int status(String url) {
            Map<String, Object> r = responses.get(url);
            assertThat(r).as("a response for " + url).isNotNull();
            return ((Number) r.get("status")).intValue();
        }

        String contentType(String url) {
            status(url);
            return header(responses.get(url), "content-type");
        }

        List<String> problems() {
            return problems;
        }

        List<String> withoutNosniff() {
            return responses.entrySet().stream().filter(r -> !"nosniff".equals(header(r.getValue(), "x-content-type-options")))
                    .map(Map.Entry::getKey).toList();
        }

        private static String header(Map<String, Object> response, String name) {
            return map(response.get("headers")).entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                    .map(h -> (String) h.getValue()).findFirst().orElse(null);
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> map(Object o) {
            return (Map<String, Object>) o;
        }
    }
}
