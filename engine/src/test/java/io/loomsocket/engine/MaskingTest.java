package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-pass masking copy (RFC 6455 §5.3) gives the same bytes as copying then masking in place. */
class MaskingTest {

    @Test
    void maskCopyEqualsCopyThenMaskAtEveryLengthOffsetAndKeyPosition() {
        Random r = new Random(42);
        byte[] src = new byte[64];
        r.nextBytes(src);
        int key = 0x37FA213D;
        for (int len = 0; len <= 40; len++) {
            for (int off = 0; off < 9; off++) {
                for (long keyPos = 0; keyPos < 5; keyPos++) {
                    byte[] expected = Arrays.copyOfRange(src, off, off + len);
                    Masking.mask(expected, 0, len, key, keyPos);
                    byte[] dst = new byte[len + 3];
                    Masking.maskCopy(src, off, dst, 3, len, key, keyPos);
                    assertThat(Arrays.copyOfRange(dst, 3, 3 + len)).as("len %d off %d pos %d", len, off, keyPos).isEqualTo(expected);
                    assertThat(dst[0] | dst[1] | dst[2]).isZero(); // nothing written before dstOff
                    ByteBuffer viaBuffer = ByteBuffer.allocate(len + 1).position(1);
                    Masking.maskInto(src, off, viaBuffer, len, key, keyPos);
                    assertThat(Arrays.copyOfRange(viaBuffer.array(), 1, 1 + len)).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void rfc6455_5_7_maskedHelloUnmasks() {
        byte[] masked = Hex.bytes("7f9f4d5158");
        byte[] out = new byte[5];
        Masking.maskCopy(masked, 0, out, 0, 5, 0x37FA213D, 0);
        assertThat(new String(out, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("Hello");
    }
}
