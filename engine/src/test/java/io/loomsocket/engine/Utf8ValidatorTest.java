package io.loomsocket.engine;

import static io.loomsocket.engine.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 3629 validity, incremental behaviour, and agreement with the JDK's strict decoder. */
class Utf8ValidatorTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "48656c6c6f", "c2a9", "e282ac", "f09f9880", "f4808080", "ed9fbf", "ee8080",
            "cebae1bdb9cf83ceb5", "efbbbf", "7f", "dfbf", "efbfbf", "f48fbfbf"})
    void rfc3629_validSequences(String hex) {
        assertThat(Utf8Validator.isValid(bytes(hex))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "bf", "c0af", "c1bf", "e080af", "f08080af", "eda080", "edbfbf", "f4908080",
            "f5808080", "ff", "fe", "c2", "e282", "f09f98", "c241", "e2ac41", "f8888080af"})
    void rfc3629_invalidOrIncompleteSequences(String hex) {
        assertThat(Utf8Validator.isValid(bytes(hex))).isFalse();
    }

    @Test
    void reportsTheIndexOfTheFirstInvalidByte() {
        Utf8Validator v = new Utf8Validator();
        byte[] b = bytes("41424344454647484950 eda080 41");
        assertThat(v.update(b, 0, b.length)).isEqualTo(11); // ED is fine, A0 after ED is the surrogate
        assertThat(v.isFailed()).isTrue();
        assertThat(v.update(new byte[] {0x41}, 0, 1)).isEqualTo(0); // sticky
        v.reset();
        assertThat(v.update(new byte[] {0x41}, 0, 1)).isEqualTo(-1);
    }

    @Test
    void incrementalAcrossEverySplitPoint() {
        byte[] b = "aé€😀 long ascii run to hit the fast path ......".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= b.length; cut++) {
            Utf8Validator v = new Utf8Validator();
            assertThat(v.update(b, 0, cut)).isEqualTo(-1);
            assertThat(v.update(b, cut, b.length - cut)).isEqualTo(-1);
            assertThat(v.isComplete()).isTrue();
        }
        Utf8Validator v = new Utf8Validator();
        v.update(bytes("41f09f"), 0, 3);
        assertThat(v.isComplete()).isFalse();
        assertThat(v.incompleteTail()).isEqualTo(2);
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomInput() {
        Random r = new Random(42);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int n = Boolean.getBoolean("loomsocket.long") ? 2_000_000 : 50_000;
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[r.nextInt(12)];
            for (int j = 0; j < b.length; j++) {
                // bias towards interesting bytes
                b[j] = (byte) (r.nextInt(4) == 0 ? r.nextInt(0x80) : 0x80 + r.nextInt(0x80));
            }
            boolean jdk;
            try {
                decoder.reset().decode(ByteBuffer.wrap(b));
                jdk = true;
            } catch (CharacterCodingException e) {
                jdk = false;
            }
            assertThat(Utf8Validator.isValid(b)).as(Hex.hex(b)).isEqualTo(jdk);
        }
    }
}
