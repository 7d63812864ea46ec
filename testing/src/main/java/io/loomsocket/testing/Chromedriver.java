package io.loomsocket.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's chromedriver on a free port, driving headless Chromium through the W3C WebDriver HTTP
 * API with the JDK's HttpClient (no client library, nothing downloaded). {@link #browser()} opens
 * a browser window of its own (a WebDriver session); closing the driver ends the chromedriver
 * process and every browser it still has.
 */
public final class Chromedriver implements AutoCloseable {
    public static final Path BROWSER = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /** How long chromedriver may take to answer /status, and one WebDriver call to answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final String CAPABILITIES = """
            {"capabilities":{"alwaysMatch":{"goog:chromeOptions":{"args":["--headless","--no-sandbox","--disable-gpu"]}}}}""";

    private final int port;
    private final ChildProcess process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Chromedriver(int port, ChildProcess process) {
        this.port = port;
        this.process = process;
    }

    /** Fails with how to install when Chromium or chromedriver is missing. */
    public static void require() {
        for (Path p : new Path[] {BROWSER, DRIVER}) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(p + " is missing: run scripts/install-peers.sh (apt-get install -y chromium chromium-driver)");
            }
        }
    }

    /** Starts chromedriver and waits until it answers. */
    public static Chromedriver start() throws Exception {
        require();
        int port = Ports.free();
        var driver = new Chromedriver(port, ChildProcess.start("chromedriver",
                new ProcessBuilder(DRIVER.toString(), "--port=" + port).redirectErrorStream(true)));
        try {
            Await.until(TIMEOUT, "chromedriver on port " + port, () -> {
                try {
                    driver.call("GET", "/status", null);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (Exception | AssertionError e) {
            driver.close();
            throw e;
        }
        return driver;
    }

    /** A new headless browser window. */
    public Browser browser() throws IOException, InterruptedException {
        return new Browser("/session/" + find(call("POST", "/session", CAPABILITIES), "\"sessionId\":\"([^\"]+)\""));
    }

    String call(String method, String path, String body) throws IOException, InterruptedException {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("WebDriver " + method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }

    /** The first group of {@code regex} in a WebDriver answer. */
    public static String find(String json, String regex) {
        Matcher m = Pattern.compile(regex).matcher(json);
        if (!m.find()) throw new IllegalStateException("no " + regex + " in " + json);
        return m.group(1);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(5));
        http.close();
    }

    /** One browser window (a WebDriver session); WebDriver's JSON answers are returned as they are. */
    public final class Browser implements AutoCloseable {
        private final String session;

        private Browser(String session) {
            this.session = session;
        }

        /** Loads {@code url} and waits for the page to load. */
        public void open(String url) throws IOException, InterruptedException {
            call("POST", session + "/url", "{\"url\":\"" + url + "\"}");
        }

        /** Runs {@code js} (a function body: {@code return ...}) in the page; the answer is {@code {"value":...}}. */
        public String script(String js) throws IOException, InterruptedException {
            return call("POST", session + "/execute/sync", "{\"script\":\"" + js.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"args\":[]}");
        }

        /** The WebDriver id of the first element matching {@code css}. */
        public String element(String css) throws IOException, InterruptedException {
            return find(call("POST", session + "/element", "{\"using\":\"css selector\",\"value\":\"" + css + "\"}"),
                    "\"element-[^\"]+\":\"([^\"]+)\"");
        }

        public void click(String css) throws IOException, InterruptedException {
            call("POST", session + "/element/" + element(css) + "/click", "{}");
        }

        /** Types {@code text} (JSON-escaped already: {@code \\n} is Enter) into the element matching {@code css}. */
        public void type(String css, String text) throws IOException, InterruptedException {
            call("POST", session + "/element/" + element(css) + "/value", "{\"text\":\"" + text + "\"}");
        }

        /** Closes the window (ends the WebDriver session). */
        @Override
        public void close() throws IOException, InterruptedException {
            call("DELETE", session, null);
        }
    }
}
