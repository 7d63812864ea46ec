package io.loomsocket.test;

import io.loomsocket.web.Settings;
import io.loomsocket.web.WebApp;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link TestServer} for a JUnit 5 test class: registered on a {@code static} field it starts
 * once before the class's tests and stops after them; on an instance field, it starts and stops
 * around each test.
 *
 * <pre>{@code
 * class EchoTest {
 *     @RegisterExtension
 *     static TestServerExtension server = TestServerExtension.of(settings ->
 *             WebApp.builder().settings(settings).urls(path("^echo$", acceptWebSocket(Echo::view))).build());
 *
 *     @Test
 *     void echoes() {
 *         try (TestWebSocket ws = server.client().websocket("/echo")) {
 *             ws.sendText("hello");
 *             ws.expectText("hello");
 *         }
 *     }
 * }
 * }</pre>
 */
public final class TestServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final Function<Settings, WebApp> app;
    private UnaryOperator<Settings.Builder> settings = UnaryOperator.identity();
    private volatile TestServer server;
    private boolean perClass;

    private TestServerExtension(Function<Settings, WebApp> app) {
        this.app = Objects.requireNonNull(app, "app");
    }

    /** An extension that builds the application from the {@linkplain TestServer#settings() test settings}. */
    public static TestServerExtension of(Function<Settings, WebApp> app) {
        return new TestServerExtension(app);
    }

    /** Changes the test settings before the application is built: {@code .settings(s -> s.set("websocket.write_timeout", "200ms"))}. */
    public TestServerExtension settings(UnaryOperator<Settings.Builder> change) {
        this.settings = Objects.requireNonNull(change, "change");
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true; // only a static field's extension is called before the class
        server = TestServer.start(settings.apply(TestServer.settings()), app);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) server = TestServer.start(settings.apply(TestServer.settings()), app);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) stop();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    private void stop() {
        TestServer s = server;
        server = null;
        if (s != null) s.close();
    }

    /** The running server. @throws IllegalStateException outside a test */
    public TestServer server() {
        TestServer s = server;
        if (s == null) throw new IllegalStateException("the test server runs only during a test (is the field annotated @RegisterExtension?)");
        return s;
    }

    /** A new client of the running server, with an empty cookie jar. */
    public TestClient client() {
        return server().client();
    }

    public int port() {
        return server().port();
    }

    public WebApp app() {
        return server().app();
    }
}
