package io.loomsocket.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.engine.Frame;
import io.loomsocket.engine.FrameWriter;
import io.loomsocket.engine.MaskSource;
import io.loomsocket.engine.OpCode;
import io.loomsocket.engine.Role;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code websocket.max_fragments_per_message}: a message in too many frames closes with 1009. */
@IntegrationTest
class FragmentLimitTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    /** A text frame "a" without FIN, then {@code continuations} empty continuation frames, the last final. */
    private static byte[] emptyFragments(int continuations) {
        FrameWriter w = new FrameWriter(Role.CLIENT, MaskSource.fixed(0x1b2c3d4e));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(w.encode(new Frame(false, false, false, false, OpCode.TEXT, "a".getBytes(StandardCharsets.UTF_8))));
        for (int i = 1; i <= continuations; i++) {
            out.writeBytes(w.encode(new Frame(i == continuations, false, false, false, OpCode.CONTINUATION, new byte[0])));
        }
        return out.toByteArray();
    }

    /** Sends the fragments from another thread (the server stops reading them) and returns the close code received. */
    private static int closeCodeAfter(RawClient c, byte[] wire) throws Exception {
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                c.send(wire);
            } catch (IOException e) {
                // the server closed the connection before reading everything
            }
        });
        int code = c.readUntilClose();
        writer.interrupt();
        return code;
    }

    @Test
    void theAuditsThreeHundredThousandEmptyFragmentsClose1009UnderTheDefault() throws Exception {
        server = Apps.start(Map.of(), Apps.echoUrl());
        try (RawClient c = Apps.raw(server.port())) {
            assertThat(c.upgrade("/echo")).isEqualTo(101);
            assertThat(closeCodeAfter(c, emptyFragments(300_000))).isEqualTo(1009);
        }
    }

    @Test
    void theSettingSetsTheLimitAndAMessageWithinItIsEchoed() throws Exception {
        server = Apps.start(Map.of("websocket.max_fragments_per_message", "10"), Apps.echoUrl());
        try (RawClient c = Apps.raw(server.port())) {
            assertThat(c.upgrade("/echo")).isEqualTo(101);
            c.send(emptyFragments(9));
            RawFrame echoed = c.readFrame();
            assertThat(new String(echoed.payload(), StandardCharsets.UTF_8)).isEqualTo("a");
            assertThat(closeCodeAfter(c, emptyFragments(10))).isEqualTo(1009);
        }
    }
}
