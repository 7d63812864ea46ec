package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one UTF-8 length: exactly the bytes that text is sent as. */
class Utf8Test {

    @Test
    void loneSurrogateCountsAsTheOneByteItIsSentAs() {
        // String.getBytes(UTF_8), which MessageEncoder sends, replaces an unpaired surrogate by '?'
        assertThat("\ud800".getBytes(StandardCharsets.UTF_8)).containsExactly('?');
        assertThat(Utf8.encodedLength("\ud800")).isEqualTo(1);
        assertThat(Utf8.encodedLength("a\udc00b")).isEqualTo(3);
        assertThat(Utf8.encodedLength("\ud83d\ude00")).isEqualTo(4); // a pair: one 4-byte code point
        assertThat(Utf8.encodedLength("\ude00\ud83d")).isEqualTo(2); // reversed: two lone surrogates
        assertThat(Utf8.encodedLength("\u00e9\u20ac")).isEqualTo(5);
    }

    @Test
    void matchesTheEncoderOnRandomText() {
        Random random = new Random(0);
        char[] alphabet = {'a', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00'};
        for (int n = 0; n < 10_000; n++) {
            char[] cs = new char[random.nextInt(12)];
            for (int i = 0; i < cs.length; i++) cs[i] = alphabet[random.nextInt(alphabet.length)];
            String s = new String(cs);
            assertThat(Utf8.encodedLength(s)).as("%s", s.chars().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
            for (int max = 0; max <= 8; max++) {
                String t = Utf8.truncate(s, max);
                assertThat(s).startsWith(t);
                assertThat(t.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(max);
            }
        }
    }
}
