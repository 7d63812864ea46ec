package io.loomsocket.interop.conformance;

import static io.loomsocket.testing.raw.RawFrame.BINARY;
import static io.loomsocket.testing.raw.RawFrame.CONTINUATION;
import static io.loomsocket.testing.raw.RawFrame.TEXT;
import static io.loomsocket.testing.raw.RawFrame.client;

import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Size limits (ARCHITECTURE.md "every limit has a name"): the target runs with a maximum message
 * size of {@link EchoTarget#MAX_MESSAGE_SIZE}; anything larger fails the connection with 1009
 * (RFC 6455 §7.4.1 "message that is too big for it to process").
 */
@IntegrationTest
class LimitsConformanceTest extends ConformanceBase {

    static final int MAX = EchoTarget.MAX_MESSAGE_SIZE;

    @Test
    @DisplayName("§7.4.1 a message of exactly the limit is echoed")
    void atTheLimit() throws IOException {
        try (RawClient c = echo()) {
            byte[] p = pattern(MAX);
            c.send(client(true, BINARY, p));
            expectFrame(c, true, BINARY, p);
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§7.4.1 one frame one byte over the limit: 1009")
    void frameOverTheLimit() throws IOException {
        try (RawClient c = echo()) {
            byte[] frame = client(true, BINARY, pattern(MAX + 1));
            // the server may fail the connection from the header alone, before reading the payload
            try {
                c.send(frame);
            } catch (IOException reset) {
                // the server closed while we were still writing: its close frame is in our buffer
            }
            c.expectClose(1009);
        }
    }

    @Test
    @DisplayName("§7.4.1 a 2^40-byte frame header is refused at once with 1009, no payload needed")
    void hugeDeclaredLength() throws IOException {
        try (RawClient c = echo()) {
            c.send(bytes(0x82, 0x80 | 127, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4));
            c.expectClose(1009);
        }
    }

    @Test
    @DisplayName("§7.4.1 fragments each under the limit, together one byte over: 1009")
    void fragmentsOverTheLimit() throws IOException {
        try (RawClient c = echo()) {
            int half = MAX / 2;
            c.send(client(false, TEXT, ascii(half).getBytes()));
            try {
                c.send(client(true, CONTINUATION, ascii(MAX - half + 1).getBytes()));
            } catch (IOException reset) {
                // closed while we wrote
            }
            c.expectClose(1009);
        }
    }

    @Test
    @DisplayName("§7.4.1 many small fragments that add up to the limit are accepted")
    void manyFragmentsAtTheLimit() throws IOException {
        try (RawClient c = echo()) {
            byte[] p = pattern(MAX);
            int chunk = 4096;
            for (int off = 0; off < MAX; off += chunk) {
                byte[] part = java.util.Arrays.copyOfRange(p, off, Math.min(MAX, off + chunk));
                c.send(client(off + chunk >= MAX, off == 0 ? BINARY : CONTINUATION, part));
            }
            expectFrame(c, true, BINARY, p);
            c.closeNormally();
        }
    }
}
