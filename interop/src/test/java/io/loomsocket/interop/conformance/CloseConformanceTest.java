package io.loomsocket.interop.conformance;

import static io.loomsocket.testing.raw.RawFrame.BINARY;
import static io.loomsocket.testing.raw.RawFrame.CLOSE;
import static io.loomsocket.testing.raw.RawFrame.CONTINUATION;
import static io.loomsocket.testing.raw.RawFrame.PING;
import static io.loomsocket.testing.raw.RawFrame.TEXT;
import static io.loomsocket.testing.raw.RawFrame.client;
import static io.loomsocket.testing.raw.RawFrame.closePayload;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §5.5.1, §7.1 and §7.4: the closing handshake and every close code. */
@IntegrationTest
class CloseConformanceTest extends ConformanceBase {

    /**
     * §7.4.1 defined codes an endpoint may send, the IANA-registered 1012–1014 (RFC 6455 §11.7
     * registry), and the ranges 3000–3999 (registered) and 4000–4999 (private): the server echoes
     * the code (§5.5.1 "typically echos the status code it received").
     */
    @ParameterizedTest(name = "§7.4 close code {0} is echoed")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void validCodeEchoed(int code) throws IOException {
        try (RawClient c = echo()) {
            c.echoText("before close");
            c.send(client(true, CLOSE, closePayload(code, "reason " + code)));
            c.expectClose(code);
        }
    }

    /** §7.4.1–§7.4.2: codes that must never be sent in a close frame, or are unassigned below 3000. */
    @ParameterizedTest(name = "§7.4 invalid close code {0}: 1002")
    @ValueSource(ints = {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void invalidCode(int code) throws IOException {
        expectFailure(client(true, CLOSE, closePayload(code, "")), 1002);
    }

    @Test
    @DisplayName("§5.5.1 a close frame with a 1-byte payload: 1002")
    void oneBytePayload() throws IOException {
        expectFailure(client(true, CLOSE, bytes(0x03)), 1002);
    }

    @Test
    @DisplayName("§5.5.1 an empty close frame is answered and the server closes TCP")
    void emptyClose() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(true, CLOSE, new byte[0]));
            RawFrame f = c.nextFromServer();
            assertThat(f.opcode()).isEqualTo(CLOSE);
            // §5.5.1: no code received (1005); echoing no code or sending 1000 are both allowed
            assertThat(f.closeCode()).isIn(1000, 1005);
            c.expectEof();
        }
    }

    @Test
    @DisplayName("§5.5.1 the longest close reason (123 bytes) is accepted")
    void longestReason() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(true, CLOSE, closePayload(1000, ascii(123))));
            c.expectClose(1000);
        }
    }

    @Test
    @DisplayName("§5.5 a close reason of 124 bytes makes the frame too long: 1002")
    void reasonTooLong() throws IOException {
        expectFailure(client(true, CLOSE, closePayload(1000, ascii(124))), 1002);
    }

    @Test
    @DisplayName("§7.1.2 the server closes TCP after the closing handshake and sends nothing more")
    void serverClosesTcp() throws IOException {
        try (RawClient c = echo()) {
            c.echoText("one");
            c.send(client(true, CLOSE, closePayload(1000, "done")));
            RawFrame f = c.nextFromServer();
            assertThat(f.closeCode()).isEqualTo(1000);
            // we do not answer: the server already received our close, so it must end TCP (§7.1.1)
            c.expectEof();
        }
    }

    @Test
    @DisplayName("§5.5.1 data after a close frame is ignored")
    void dataAfterCloseIgnored() throws IOException {
        try (RawClient c = echo()) {
            c.send(RawFrame.concat(client(true, CLOSE, closePayload(1000, "")), RawFrame.clientText("too late"),
                client(true, PING, utf8("too late"))));
            c.expectClose(1000);
        }
    }

    @ParameterizedTest(name = "§5.4 close (code {0}) in the middle of a fragmented message is echoed")
    @ValueSource(ints = {1000, 1001, 4000})
    void closeDuringFragmentedMessage(int code) throws IOException {
        try (RawClient c = echo()) {
            c.send(client(false, TEXT, utf8("never ")));
            c.send(client(false, CONTINUATION, utf8("finished")));
            c.send(client(true, CLOSE, closePayload(code, "mid-message")));
            c.expectClose(code);
        }
    }

    @Test
    @DisplayName("§5.4 close in the middle of a binary message split inside a UTF-8-free payload")
    void closeDuringFragmentedBinary() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(false, BINARY, pattern(1000)));
            c.send(client(true, CLOSE, closePayload(1001, "")));
            c.expectClose(1001);
        }
    }

    @Test
    @DisplayName("§7.1.5 dropping TCP without a close frame does not disturb the server")
    void abruptDisconnect() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(false, TEXT, utf8("half a message")));
        }
        try (RawClient c = echo()) {
            c.echoText("the server still works");
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§7.1.7 after failing the connection the server sends nothing but the close")
    void nothingAfterFailure() throws IOException {
        try (RawClient c = echo()) {
            c.send(RawFrame.concat(client(true, 0x3, new byte[0]), RawFrame.clientText("ignored")));
            c.expectClose(1002);
        }
    }
}
