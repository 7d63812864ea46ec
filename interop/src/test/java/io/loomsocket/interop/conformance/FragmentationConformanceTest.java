package io.loomsocket.interop.conformance;

import static io.loomsocket.testing.raw.RawFrame.BINARY;
import static io.loomsocket.testing.raw.RawFrame.CLOSE;
import static io.loomsocket.testing.raw.RawFrame.CONTINUATION;
import static io.loomsocket.testing.raw.RawFrame.PING;
import static io.loomsocket.testing.raw.RawFrame.PONG;
import static io.loomsocket.testing.raw.RawFrame.TEXT;
import static io.loomsocket.testing.raw.RawFrame.client;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import io.loomsocket.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §5.4 fragmentation and §5.5.2/§5.5.3 ping and pong, over real sockets. */
@IntegrationTest
class FragmentationConformanceTest extends ConformanceBase {

    @ParameterizedTest(name = "§5.4 a text message in {0} fragments is echoed whole")
    @ValueSource(ints = {2, 3, 10, 1000})
    void fragmentedText(int fragments) throws IOException {
        try (RawClient c = echo()) {
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            for (int i = 0; i < fragments; i++) {
                byte[] part = utf8("f" + i + ";");
                whole.writeBytes(part);
                c.send(client(i == fragments - 1, i == 0 ? TEXT : CONTINUATION, part));
            }
            expectFrame(c, true, TEXT, whole.toByteArray());
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.4 a binary message with empty first, middle and last fragments")
    void emptyFragments() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(false, BINARY, new byte[0]))
                .send(client(false, CONTINUATION, bytes(1, 2)))
                .send(client(false, CONTINUATION, new byte[0]))
                .send(client(false, CONTINUATION, bytes(3)))
                .send(client(true, CONTINUATION, new byte[0]));
            expectFrame(c, true, BINARY, bytes(1, 2, 3));
            c.send(client(false, TEXT, new byte[0])).send(client(true, CONTINUATION, new byte[0]));
            expectFrame(c, true, TEXT, new byte[0]);
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.4 a ping between fragments is answered at once, before the message completes")
    void pingBetweenFragments() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(false, TEXT, utf8("frag")));
            c.send(client(true, PING, utf8("in the middle")));
            expectFrame(c, true, PONG, utf8("in the middle"));
            c.send(client(true, CONTINUATION, utf8("ment")));
            expectFrame(c, true, TEXT, utf8("fragment"));
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.4 pings and unsolicited pongs between every fragment")
    void controlFramesBetweenEveryFragment() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(false, BINARY, bytes(1)));
            for (int i = 0; i < 5; i++) {
                c.send(client(true, PONG, utf8("unsolicited " + i)));
                c.send(client(true, PING, utf8("ping " + i)));
                expectFrame(c, true, PONG, utf8("ping " + i));
                c.send(client(i == 4, CONTINUATION, bytes(2 + i)));
            }
            expectFrame(c, true, BINARY, bytes(1, 2, 3, 4, 5, 6));
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.4 a continuation frame with no message started: 1002")
    void continuationWithoutStart() throws IOException {
        expectFailure(client(true, CONTINUATION, utf8("orphan")), 1002);
    }

    @Test
    @DisplayName("§5.4 a non-final continuation with no message started: 1002")
    void continuationWithoutStartNotFinal() throws IOException {
        expectFailure(client(false, CONTINUATION, utf8("orphan")), 1002);
    }

    @Test
    @DisplayName("§5.4 a continuation after a complete message: 1002")
    void continuationAfterCompleteMessage() throws IOException {
        try (RawClient c = echo()) {
            c.echoText("complete");
            c.send(client(true, CONTINUATION, utf8("late")));
            c.expectClose(1002);
        }
    }

    @ParameterizedTest(name = "§5.4 a new data frame (opcode {0}) inside a fragmented message: 1002")
    @ValueSource(ints = {TEXT, BINARY})
    void dataFrameInsideFragmentedMessage(int opcode) throws IOException {
        try (RawClient c = echo()) {
            c.send(client(false, TEXT, utf8("start")));
            c.send(client(true, opcode, utf8("interloper")));
            c.expectClose(1002);
        }
    }

    @ParameterizedTest(name = "§5.5 a fragmented control frame (opcode 0x{0}): 1002")
    @ValueSource(ints = {PING, PONG, CLOSE})
    void fragmentedControlFrame(int opcode) throws IOException {
        expectFailure(RawFrame.concat(client(false, opcode, utf8("half")), client(true, CONTINUATION, utf8("half"))), 1002);
    }

    @Test
    @DisplayName("§5.5.2 ping with no payload gets an empty pong")
    void emptyPing() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(true, PING, new byte[0]));
            expectFrame(c, true, PONG, new byte[0]);
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.5.2 ping payloads of every byte value come back unchanged")
    void binaryPingPayload() throws IOException {
        try (RawClient c = echo()) {
            for (int start = 0; start < 256; start += 125) {
                byte[] payload = new byte[Math.min(125, 256 - start)];
                for (int i = 0; i < payload.length; i++) payload[i] = (byte) (start + i);
                c.send(client(true, PING, payload));
                expectFrame(c, true, PONG, payload);
            }
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.5.3 unsolicited pongs are ignored (dwebsocket's view died on them)")
    void unsolicitedPong() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(true, PONG, new byte[0]));
            c.send(client(true, PONG, utf8("heartbeat")));
            c.echoText("still here");
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.5.3 ten pings in a row: the pong for the last one arrives before the next echo")
    void manyPings() throws IOException {
        try (RawClient c = echo()) {
            for (int i = 0; i < 10; i++) c.send(client(true, PING, utf8("p" + i)));
            c.send(RawFrame.clientText("after pings"));
            RawFrame f;
            String last = null;
            while ((f = c.nextFromServer()).opcode() == PONG) last = f.text();
            // §5.5.3: an endpoint MAY answer only the most recent of several pings
            assertThat(last).isEqualTo("p9");
            assertThat(f).isEqualTo(new RawFrame(true, 0, TEXT, false, utf8("after pings")));
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.4 a text message of 1,024 one-byte fragments (websocket.max_fragments_per_message) with pings in between")
    void manySmallFragments() throws IOException {
        try (RawClient c = echo()) {
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            byte[] text = utf8(ascii(1024));
            for (int i = 0; i < text.length; i++) {
                frames.writeBytes(client(i == text.length - 1, i == 0 ? TEXT : CONTINUATION, new byte[] {text[i]}));
                if (i % 250 == 125) frames.writeBytes(client(true, PING, utf8("ping " + i)));
            }
            c.send(frames.toByteArray());
            for (int i = 125; i < text.length; i += 250) expectFrame(c, true, PONG, utf8("ping " + i));
            expectFrame(c, true, TEXT, text);
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.4 a message in one fragment more than websocket.max_fragments_per_message (1,024): 1009 (loomsocketOnly)")
    void oneFragmentTooMany() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(target.isLoomsocket(), "the RFC sets no bound on fragments");
        try (RawClient c = echo()) {
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            for (int i = 0; i < 1025; i++) frames.writeBytes(client(i == 1024, i == 0 ? TEXT : CONTINUATION, new byte[0]));
            c.send(frames.toByteArray());
            c.expectClose(1009);
        }
    }
}
