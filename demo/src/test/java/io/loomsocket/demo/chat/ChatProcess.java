package io.loomsocket.demo.chat;

import io.loomsocket.test.TestServer;
import io.loomsocket.testing.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chat server in its own JVM ({@link ChatServer} on this test's class path), on a free port, with
 * the test kit's secret key (a login on one is a login on all of them).
 */
final class ChatProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/chat/");
    /** How long a chat server may take to print its URL on a busy box. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final ChildProcess child;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    private ChatProcess(ChildProcess child, int port) {
        this.child = child;
        this.port = port;
    }

    static ChatProcess start(String channelLayer, String... jvmFlags) throws IOException, InterruptedException {
        return start(channelLayer, Map.of(), jvmFlags);
    }

    /** With extra environment variables (settings such as {@code HTTP_MAX_CONNECTIONS}). */
    static ChatProcess start(String channelLayer, Map<String, String> env, String... jvmFlags) throws IOException, InterruptedException {
        return start(channelLayer, env, 0, jvmFlags);
    }

    /** On {@code port} (0: a free one), e.g. a restart on the port a stopped server had. */
    static ChatProcess start(String channelLayer, Map<String, String> env, int port, String... jvmFlags) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(List.of("-Xmx384m", "-XX:+UseSerialGC"));
        flags.addAll(List.of(jvmFlags));
        var pb = ChildProcess.java(ChatServer.class.getName(), flags, "--port", Integer.toString(port));
        pb.environment().put("CHANNEL_LAYER", channelLayer);
        pb.environment().put("SECRET_KEY", TestServer.TEST_SECRET_KEY);
        pb.environment().remove("PORT");
        pb.environment().remove("HOST");
        pb.environment().putAll(env);
        ChildProcess child = ChildProcess.start("chat", pb);
        try {
            return new ChatProcess(child, Integer.parseInt(child.awaitLine(LISTENING, START_TIMEOUT).group(1)));
        } catch (AssertionError e) {
            child.stop(Duration.ZERO);
            throw new IllegalStateException("chat server did not start: " + child.output(), e);
        }
    }

    /** The child's output so far (its System.Logger output goes to stderr). */
    String log() {
        return child.output();
    }

    int port() { return port; }

    URI room(String room) { return URI.create("ws://127.0.0.1:" + port() + "/chat/" + room); }

    /**
     * Logs {@code user} in as a browser does (GET /login/ for the CSRF cookie, then POST the form
     * with its token) and returns the {@code Cookie} header value of the session.
     */
    String login(String user) throws IOException, InterruptedException {
        var base = "http://127.0.0.1:" + port() + "/login/";
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        String csrf = cookie(form, "csrftoken");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "csrftoken=" + csrf)
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&csrfmiddlewaretoken=" + csrf)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 302) throw new IllegalStateException("login as " + user + ": " + r.statusCode() + " " + r.body());
        return "sessionid=" + cookie(r, "sessionid");
    }

    private static String cookie(HttpResponse<?> r, String name) {
        for (String c : r.headers().allValues("set-cookie")) {
            if (c.startsWith(name + "=")) return c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'));
        }
        throw new IllegalStateException("no " + name + " cookie in " + r.headers().map());
    }

    /** The layer's counters, as /chat/_stats serves them. */
    String stats() throws IOException, InterruptedException {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/chat/_stats")).timeout(Duration.ofSeconds(20)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("/chat/_stats: " + r.statusCode() + " " + r.body());
        return r.body();
    }

    /** One numeric or boolean field of {@link #stats()}. */
    String stat(String field) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("\"" + field + "\":([^,}\\]]+)").matcher(stats());
        if (!m.find()) throw new IllegalStateException("no " + field + " in " + stats());
        return m.group(1);
    }

    @Override
    public void close() {
        child.stop(Duration.ofSeconds(15)); // SIGTERM: the server stops gracefully
        http.close();
    }
}
