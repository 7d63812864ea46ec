package io.loomsocket.server;

import io.loomsocket.engine.HttpHeaders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomsocket.testing.ChildProcess;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launcher chooses the JDK's platform-thread socket pollers unless the command line chose a
 * mode ({@link HttpServer#preferPlatformPollers}); the server itself sets nothing. Each case runs a
 * fresh JVM: the JDK reads the property once per process.
 */
@IntegrationTest
@Timeout(120)
class PollerModeTest {

    @Test
    void withoutAChoiceTheServerRunsOnPlatformThreadPollers() throws Exception {
        List<String> out = runChild();
        assertTrue(out.contains("mode=1"), () -> "the property the JDK read: " + out);
        assertTrue(out.contains("thread=Read-Poller"), () -> "a platform read poller thread: " + out);
        assertFalse(out.contains("thread=MasterPoller"), () -> "no master poller of virtual-thread pollers: " + out);
    }

    @Test
    void aModeGivenOnTheCommandLineIsKept() throws Exception {
        List<String> out = runChild("-Djdk.pollerMode=2");
        assertTrue(out.contains("mode=2"), () -> "the user's choice was overridden: " + out);
        assertTrue(out.contains("served"), () -> "the server did not answer: " + out);
    }

    @Test
    void aServerStartedWithoutTheLauncherSetsNothing() throws Exception {
        List<String> out = runChild(List.of(), List.of("--no-launcher"));
        assertTrue(out.contains("mode=null"), () -> "loading or starting the server set a JVM property: " + out);
        assertTrue(out.contains("served"), () -> "the server did not answer: " + out);
    }

    private static List<String> runChild(String... flags) throws Exception {
        return runChild(List.of(flags), List.of());
    }

    private static List<String> runChild(List<String> flags, List<String> args) throws Exception {
        Process p = ChildProcess.java(Child.class.getName(), flags, args.toArray(String[]::new)).redirectErrorStream(true).start();
        // the child prints a few lines and exits; reading to the end cannot block past its exit
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child did not exit");
        assertEquals(0, p.exitValue(), () -> "the child failed: " + text);
        return text.lines().toList();
    }

    /**
     * Chooses the pollers as a launcher does (unless {@code --no-launcher}), starts a server, has a
     * virtual thread make one request, prints the poller mode and thread names.
     */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            if (!List.of(args).contains("--no-launcher")) HttpServer.preferPlatformPollers();
            try (HttpServer server = HttpServer.start(ServerOptions.builder().host("127.0.0.1").port(0).build(),
                    ex -> ex.respond(200, new HttpHeaders(), "ok".getBytes(StandardCharsets.US_ASCII)))) {
                Thread client = Thread.ofVirtual().start(() -> {
                    try (Socket s = new Socket("127.0.0.1", server.port())) {
                        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                        if (response.startsWith("HTTP/1.1 200")) System.out.println("served");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                client.join();
                System.out.println("mode=" + System.getProperty("jdk.pollerMode"));
                try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                    for (Path t : tasks.toList()) System.out.println("thread=" + Files.readString(t.resolve("comm")).strip());
                }
            }
        }
    }
}
