package io.loomsocket.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.testing.IntegrationTest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an idle connection keeps: its view parks in a read holding the read buffer, so that buffer
 * is small while nothing arrives, grows only as bytes arrive, and shrinks again after.
 */
@IntegrationTest
@Timeout(30)
class IdleFootprintTest {

    @Test
    void theReadBufferIsSmallWhileIdleGrowsWithTheBytesAndShrinksAgain() throws Exception {
        try (Pair.WebSockets ws = Pair.webSockets(WebSocketConfig.defaults())) {
            Reader reader = ws.server().reader();
            ws.client().send("hi");
            assertThat(ws.server().receive()).contains(new Message.Text("hi"));
            assertThat(reader.readBufferCapacity()).as("after a small message").isLessThanOrEqualTo(128);

            byte[] big = new byte[10_000];
            Arrays.fill(big, (byte) 7);
            ws.client().send(big);
            Message m = ws.server().receive().orElseThrow();
            assertThat(((Message.Binary) m).data()).isEqualTo(big);
            assertThat(reader.readBufferCapacity()).as("after 10,000 bytes arrived at once")
                    .isGreaterThan(128).isLessThanOrEqualTo(WebSocketConfig.defaults().readBufferSize());

            ws.client().send("x");
            assertThat(ws.server().receive()).contains(new Message.Text("x"));
            assertThat(reader.readBufferCapacity()).as("idle again after a short read").isLessThanOrEqualTo(128);
        }
    }
}
