package io.loomsocket.demo.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.loomsocket.test.TestServer;

/**
 * A chat server in its own JVM ({@link ChatServer} on this test's class path), on a free port, with
 * the test kit's secret key (a login on one is a login on all of them).
 */
final class ChatProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/chat/");
    /** Lines of the child's stderr kept for assertions. */
    static final int LOG_LINES = 2000;

    private final Process process;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<String> log = new ArrayDeque<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    private ChatProcess(Process process) {
        this.process = process;
        Thread.ofVirtual().start(() -> readLines(process.getInputStream(), line -> {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) port.complete(Integer.parseInt(m.group(1)));
        }));
        Thread.ofVirtual().start(() -> readLines(process.getErrorStream(), this::addLog));
    }

    static ChatProcess start(String channelLayer, String... jvmFlags) throws IOException, InterruptedException {
        return start(channelLayer, java.util.Map.of(), jvmFlags);
    }

    /** With extra environment variables (settings such as {@code HTTP_MAX_CONNECTIONS}). */
    static ChatProcess start(String channelLayer, java.util.Map<String, String> env, String... jvmFlags) throws IOException, InterruptedException {
        return start(channelLayer, env, 0, jvmFlags);
    }

    /** On {@code port} (0: a free one), e.g. a restart on the port a stopped server had. */
    static ChatProcess start(String channelLayer, java.util.Map<String, String> env, int port, String... jvmFlags) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        var cmd = new java.util.ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC"));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ChatServer.class.getName(), "--port", Integer.toString(port)));
        var pb = new ProcessBuilder(cmd);
        pb.environment().put("CHANNEL_LAYER", channelLayer);
        pb.environment().put("SECRET_KEY", TestServer.TEST_SECRET_KEY);
        pb.environment().remove("PORT");
        pb.environment().remove("HOST");
        pb.environment().putAll(env);
        var cp = new ChatProcess(pb.start());
        try {
            cp.port.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            cp.process.destroyForcibly();
            throw new IllegalStateException("chat server did not start: " + cp.log(), e);
        }
        return cp;
    }

    private static void readLines(InputStream in, java.util.function.Consumer<String> sink) {
        try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) sink.accept(line);
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private void addLog(String line) {
        lock.lock();
        try {
            log.addLast(line);
            while (log.size() > LOG_LINES) log.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    /** The child's stderr so far (its System.Logger output). */
    String log() {
        lock.lock();
        try {
            return String.join("\n", log);
        } finally {
            lock.unlock();
        }
    }

    int port() { return port.join(); }

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
        process.destroy(); // SIGTERM: the server stops gracefully
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        http.close();
    }
}
