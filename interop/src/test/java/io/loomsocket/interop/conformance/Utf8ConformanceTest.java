package io.loomsocket.interop.conformance;

import static io.loomsocket.testing.raw.RawFrame.CLOSE;
import static io.loomsocket.testing.raw.RawFrame.CONTINUATION;
import static io.loomsocket.testing.raw.RawFrame.TEXT;
import static io.loomsocket.testing.raw.RawFrame.client;

import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 6455 §5.6 and §8.1: text payloads must be valid UTF-8 (RFC 3629), else the connection is
 * failed with 1007 (§7.4.1), also when the bad sequence is split across fragments and when it is
 * in a close frame's reason.
 */
@IntegrationTest
class Utf8ConformanceTest extends ConformanceBase {

    static Stream<Arguments> valid() {
        return Stream.of(
            Arguments.of("ascii", "68656c6c6f"),
            Arguments.of("2-byte é", "c3a9"),
            Arguments.of("3-byte ✓", "e29c93"),
            Arguments.of("4-byte 🎉", "f09f8e89"),
            Arguments.of("U+0000", "00"),
            Arguments.of("U+007F, U+0080", "7fc280"),
            Arguments.of("U+07FF, U+0800", "dfbfe0a080"),
            Arguments.of("U+D7FF (before surrogates)", "ed9fbf"),
            Arguments.of("U+E000 (after surrogates)", "ee8080"),
            Arguments.of("U+FEFF BOM kept as is", "efbbbf41"),
            Arguments.of("U+FFFD, U+FFFF", "efbfbdefbfbf"),
            Arguments.of("U+10000", "f0908080"),
            Arguments.of("U+10FFFF (last code point)", "f48fbfbf"),
            Arguments.of("κόσμε (Autobahn 6.2)", "cebae1bdb9cf83cebcceb5"));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
            Arguments.of("lone continuation byte", "80"),
            Arguments.of("continuation after ascii", "41bf"),
            Arguments.of("0xFE", "fe"),
            Arguments.of("0xFF", "ff"),
            Arguments.of("overlong '/' (2 bytes)", "c0af"),
            Arguments.of("overlong NUL (2 bytes)", "c080"),
            Arguments.of("overlong 0xC1", "c1bf"),
            Arguments.of("overlong '/' (3 bytes)", "e080af"),
            Arguments.of("overlong '/' (4 bytes)", "f08080af"),
            Arguments.of("surrogate U+D800", "eda080"),
            Arguments.of("surrogate U+DFFF", "edbfbf"),
            Arguments.of("surrogate pair as CESU-8", "eda0bdedb28e"),
            Arguments.of("above U+10FFFF", "f4908080"),
            Arguments.of("0xF5 lead byte", "f5808080"),
            Arguments.of("5-byte form", "f888808080"),
            Arguments.of("truncated 2-byte at end", "41c3"),
            Arguments.of("truncated 3-byte at end", "41e29c"),
            Arguments.of("truncated 4-byte at end", "41f09f8e"),
            Arguments.of("lead byte then ascii", "e241"),
            Arguments.of("κόσμε with an 0xED 0xA0 0x80 inside", "cebae1bdb9eda080cf83"));
    }

    @ParameterizedTest(name = "§5.6 valid: {0}")
    @MethodSource("valid")
    void validText(String name, String hex) throws IOException {
        byte[] payload = HexFormat.of().parseHex(hex);
        try (RawClient c = echo()) {
            c.send(client(true, TEXT, payload));
            expectFrame(c, true, TEXT, payload);
            c.closeNormally();
        }
    }

    @ParameterizedTest(name = "§8.1 invalid in one frame, 1007: {0}")
    @MethodSource("invalid")
    void invalidText(String name, String hex) throws IOException {
        expectFailure(client(true, TEXT, HexFormat.of().parseHex(hex)), 1007);
    }

    @ParameterizedTest(name = "§8.1 invalid split across fragments at every byte, 1007: {0}")
    @MethodSource("invalid")
    void invalidTextFragmented(String name, String hex) throws IOException {
        byte[] p = HexFormat.of().parseHex(hex);
        for (int at = 1; at < p.length; at++) {
            expectFailure(RawFrame.concat(
                client(false, TEXT, Arrays.copyOfRange(p, 0, at)),
                client(true, CONTINUATION, Arrays.copyOfRange(p, at, p.length))), 1007);
        }
    }

    @ParameterizedTest(name = "§5.6 valid split across fragments at every byte: {0}")
    @MethodSource("valid")
    void validTextFragmented(String name, String hex) throws IOException {
        byte[] p = HexFormat.of().parseHex(hex);
        try (RawClient c = echo()) {
            for (int at = 0; at <= p.length; at++) {
                c.send(client(false, TEXT, Arrays.copyOfRange(p, 0, at)));
                c.send(client(true, CONTINUATION, Arrays.copyOfRange(p, at, p.length)));
                expectFrame(c, true, TEXT, p);
            }
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.6 a 4-byte character split over four fragments, with a ping in between")
    void codePointOverFourFragments() throws IOException {
        byte[] p = HexFormat.of().parseHex("f09f8e89");
        try (RawClient c = echo()) {
            c.send(client(false, TEXT, bytes(p[0])));
            c.send(client(true, RawFrame.PING, utf8("x")));
            expectFrame(c, true, RawFrame.PONG, utf8("x"));
            c.send(client(false, CONTINUATION, bytes(p[1])));
            c.send(client(false, CONTINUATION, bytes(p[2])));
            c.send(client(true, CONTINUATION, bytes(p[3])));
            expectFrame(c, true, TEXT, p);
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§8.1 fail fast: invalid bytes in the first fragment fail before the message ends")
    void failFast() throws IOException {
        try (RawClient c = echo()) {
            // the message is never finished: the endpoint must not wait for its end to fail it
            c.send(client(false, TEXT, HexFormat.of().parseHex("cebae1bdb9eda080")));
            c.expectClose(1007);
        }
    }

    @ParameterizedTest(name = "§5.5.1 close reason that is invalid UTF-8, 1007: {0}")
    @MethodSource("invalid")
    void invalidCloseReason(String name, String hex) throws IOException {
        byte[] reason = HexFormat.of().parseHex(hex);
        if (reason.length > 123) return;
        expectFailure(client(true, CLOSE, RawFrame.closePayload(1000, reason)), 1007);
    }

    @Test
    @DisplayName("§5.5.1 a close reason of valid multi-byte UTF-8 is accepted")
    void validCloseReason() throws IOException {
        try (RawClient c = echo()) {
            c.send(client(true, CLOSE, RawFrame.closePayload(1000, "bye ✓ 🎉")));
            c.expectClose(1000);
        }
    }
}
