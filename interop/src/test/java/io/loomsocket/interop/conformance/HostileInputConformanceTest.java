package io.loomsocket.interop.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import io.loomsocket.testing.IntegrationTest;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Hostile input over real sockets (STYLE.md item 13): seeded random bytes after a good handshake.
 * Whatever the bytes, the server answers only with well-formed frames, ends with a close frame
 * whose code is a protocol code (1002, 1007, 1009) or with plain TCP end when our half-close came
 * first, within the read timeout; and it keeps serving other connections. Seed 6455;
 * {@code -Dloomsocket.long=true} runs 20 times more connections.
 */
@IntegrationTest
class HostileInputConformanceTest extends ConformanceBase {

    @Test
    @DisplayName("§5, §7.1.7 random bytes after the handshake: protocol close codes only, never a hang")
    void randomBytes() throws IOException {
        int connections = Boolean.getBoolean("loomsocket.long") ? 4000 : 200;
        Random random = new Random(6455);
        for (int i = 0; i < connections; i++) {
            byte[] garbage = new byte[1 + random.nextInt(96)];
            random.nextBytes(garbage);
            if (random.nextBoolean()) garbage[1] |= (byte) 0x80; // masked half the time, so parsing goes deeper
            try (RawClient c = echo()) {
                try {
                    c.send(garbage);
                    c.socket().shutdownOutput(); // then EOF: a frame waiting for more bytes ends too
                } catch (SocketException alreadyClosed) {
                    // the server failed the connection while we were writing
                }
                Integer code = null;
                try {
                    while (true) {
                        RawFrame f = c.nextFromServer();
                        if (f.opcode() == RawFrame.CLOSE) {
                            code = f.closeCode();
                            break;
                        }
                        assertThat(f.opcode()).as("only echoes and pongs before the close: %s", f)
                            .isIn(RawFrame.TEXT, RawFrame.BINARY, RawFrame.PONG);
                    }
                } catch (EOFException | SocketException ended) {
                    // TCP ended without a close frame: fine after our half-close (1006 on the server)
                }
                if (code != null) {
                    // 1000 only when the random bytes happen to form a close frame with that code
                    assertThat(code).as("garbage #%d %s", i, java.util.HexFormat.of().formatHex(garbage)).isIn(1000, 1002, 1007, 1009);
                }
            }
        }
        try (RawClient c = echo()) {
            c.echoText("the server still serves");
            c.closeNormally();
        }
    }
}
