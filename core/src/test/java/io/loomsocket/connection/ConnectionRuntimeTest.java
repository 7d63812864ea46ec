package io.loomsocket.connection;

import io.loomsocket.testing.IntegrationTest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.engine.Role;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A {@link ConnectionRuntime} owns the timer and flusher threads of the connections opened on
 * it: they work through it (the read watch, deferred flushes, close timers), and its threads end
 * when it is closed.
 */
@IntegrationTest
class ConnectionRuntimeTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static boolean threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    @Test
    void connectionsRunOnTheirRuntimeAndItsThreadsEndWhenItCloses() throws Exception {
        ConnectionRuntime runtime = ConnectionRuntime.create("runtime-test");
        assertThat(threadNamed("runtime-test-timer")).isTrue();
        assertThat(threadNamed("runtime-test-flusher")).isTrue();
        WebSocketConfig config = WebSocketConfig.defaults();
        try (Pair p = Pair.open()) {
            var server = WebSocketConnection.open(Transport.of(p.serverSide), null, Role.SERVER, null, null, config, runtime);
            var client = WebSocketConnection.open(Transport.of(p.clientSide), null, Role.CLIENT, null, null, config, runtime);
            // the server's application never receives: only this runtime's read watch starts its reader
            assertThat(client.ping()).isNotNull();
            server.send("hello");
            assertThat(client.receive(WAIT)).contains(Message.text("hello"));
            client.close();
            assertThat(client.isClosed()).isTrue();
            server.abort();
        }
        runtime.close();
        assertThat(runtime.isClosed()).isTrue();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!runtime.threadsEnded() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(runtime.threadsEnded()).as("the timer and flusher threads ended").isTrue();
        assertThat(threadNamed("runtime-test-timer")).isFalse();
        assertThat(threadNamed("runtime-test-flusher")).isFalse();
        runtime.close(); // idempotent
    }

    @Test
    void aConnectionOnAClosedRuntimeStillSendsAndCloses() throws Exception {
        ConnectionRuntime runtime = ConnectionRuntime.create("closed-runtime-test");
        runtime.close();
        WebSocketConfig config = WebSocketConfig.defaults();
        try (Pair p = Pair.open()) {
            var server = WebSocketConnection.open(Transport.of(p.serverSide), null, Role.SERVER, null, null, config, runtime);
            var client = WebSocketConnection.open(Transport.of(p.clientSide), null, Role.CLIENT, null, null, config);
            server.send("after the runtime closed");
            assertThat(client.receive(WAIT)).contains(Message.text("after the runtime closed"));
            client.send("and back");
            assertThat(server.receive(WAIT)).contains(Message.text("and back"));
            server.close();
            assertThat(server.isClosed()).isTrue();
            client.abort();
        }
    }

    @Test
    void theSharedRuntimeIsNeverClosed() {
        assertThatThrownBy(() -> ConnectionRuntime.shared().close()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(ConnectionRuntime.shared().isClosed()).isFalse();
    }
}
