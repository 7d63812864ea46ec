package io.loomsocket.test.readme;

import io.loomsocket.test.*;
import io.loomsocket.testing.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's complete test of a login-protected chat view, word for word: it must compile and pass. */
@IntegrationTest
class ChatTest {
    @RegisterExtension
    static TestServerExtension server = TestServerExtension.of(Chat::app);

    @Test
    void onlyALoggedInUserGetsIn() {
        TestClient client = server.client();
        client.expectWebSocketRefused("/chat", 403);                 // anonymous: 403 before any 101
        client.forceLogin("ada");                                    // a session for ada, no login form
        try (TestWebSocket ws = client.websocket("/chat")) {
            ws.sendText("hi");
            ws.expectText("ada: hi");
        }
    }
}
