package io.loomsocket.test.readme;

import static io.loomsocket.web.Views.*;
import io.loomsocket.test.*;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.WebApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's complete test of the echo view, word for word: it must compile and pass. */
@IntegrationTest
class EchoTest {
    @RegisterExtension   // static: one server for the class; an instance field: one per test
    static TestServerExtension server = TestServerExtension.of(settings ->
            WebApp.builder().settings(settings).urls(path("^echo$", acceptWebSocket(Echo::echo))).build());

    @Test
    void echoes() {
        try (TestWebSocket ws = server.client().websocket("/echo")) {   // cookies of the client, Origin of the server
            ws.sendText("hello");
            ws.expectText("hello");                  // or: AssertionError "expected text 'hello', got binary of 2 bytes: 01 02"
        }
    }
}
