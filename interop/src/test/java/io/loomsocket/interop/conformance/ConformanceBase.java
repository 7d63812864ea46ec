package io.loomsocket.interop.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Starts the {@link EchoTarget} once per test class and gives each case a raw connection to it.
 * Every case has a time limit, and every read in {@link RawClient} has its own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ConformanceBase {

    static EchoTarget target;

    @BeforeAll
    static void startTarget() throws IOException {
        target = EchoTarget.start();
    }

    @AfterAll
    static void stopTarget() {
        if (target != null) target.close();
        target = null;
    }

    /** A raw connection to the echo view, handshake done and checked. */
    static RawClient echo(String... extraHeaders) throws IOException {
        return RawClient.open(target.port(), target.echoPath(), extraHeaders);
    }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    /** A deterministic payload of {@code n} bytes covering every byte value. */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + (i >>> 8));
        return b;
    }

    /** ASCII text of {@code n} bytes. */
    static String ascii(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append((char) ('a' + i % 26));
        return sb.toString();
    }

    /** Sends {@code frame} and expects the connection to be failed with {@code code}. */
    static void expectFailure(byte[] frame, int code) throws IOException {
        try (RawClient c = echo()) {
            c.send(frame);
            c.expectClose(code);
        }
    }

    /** Expects the next frame to be exactly this unmasked server frame. */
    static void expectFrame(RawClient c, boolean fin, int opcode, byte[] payload) throws IOException {
        assertThat(c.nextFromServer()).isEqualTo(new RawFrame(fin, 0, opcode, false, payload));
    }
}
