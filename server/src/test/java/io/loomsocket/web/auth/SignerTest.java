package io.loomsocket.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Signatures as Django's django.core.signing makes them (vectors from Django 3.2's Signer and TimestampSigner). */
class SignerTest {
    private static final String SECRET = "s3cr3t";

    @Test
    void signsLikeDjangosSignerAndTimestampSigner() {
        // python3 -c "...; signing.Signer('s3cr3t', algorithm='sha256').sign('hello')"
        assertThat(new Signer(SECRET, "django.core.signing.Signer").sign("hello"))
                .isEqualTo("hello:l2f8K5rQ595PYpS1_yLbRESMa6ctFhkjTr0lDieVxnk");
        // the same with TimestampSigner and time.time() = 1700000000
        assertThat(new Signer(SECRET, "django.core.signing.TimestampSigner").signTimestamped("hello", Instant.ofEpochSecond(1_700_000_000)))
                .isEqualTo("hello:1r31eq:WO_nL_Ev0H52km-MtKbQdxrgi0_a72kaQQs8AZBkirc");
        assertThat(new Signer(SECRET, SessionMiddleware.SALT).sign("x.y")).isEqualTo("x.y:K2U7tU8zlJ8xEa5m9mLYlwqwLdk1zqC0N3_pXaWGbqI");
    }

    @Test
    void unsignGivesTheValueBackAndRefusesAnyChange() {
        Signer s = new Signer(SECRET, "salt");
        String signed = s.sign("id.data:with:colons");
        assertThat(s.unsign(signed)).isEqualTo("id.data:with:colons");
        assertThatThrownBy(() -> s.unsign(signed.replace("data", "date"))).isInstanceOf(Signer.BadSignature.class);
        assertThatThrownBy(() -> s.unsign(signed.substring(0, signed.length() - 1) + (signed.endsWith("A") ? "B" : "A")))
                .isInstanceOf(Signer.BadSignature.class);
        assertThatThrownBy(() -> s.unsign("no separator")).isInstanceOf(Signer.BadSignature.class);
        assertThatThrownBy(() -> new Signer(SECRET, "other salt").unsign(signed)).isInstanceOf(Signer.BadSignature.class);
        assertThatThrownBy(() -> new Signer("another secret", "salt").unsign(signed)).isInstanceOf(Signer.BadSignature.class);
    }

    @Test
    void aTimestampedValueExpiresAfterItsMaxAge() {
        Signer s = new Signer(SECRET, "salt");
        Instant at = Instant.ofEpochSecond(1_700_000_000);
        String signed = s.signTimestamped("v", at);
        Signer.Timestamped t = s.unsignTimestamped(signed, Duration.ofSeconds(60), at.plusSeconds(60));
        assertThat(t.value()).isEqualTo("v");
        assertThat(t.signedAt()).isEqualTo(at);
        assertThatThrownBy(() -> s.unsignTimestamped(signed, Duration.ofSeconds(60), at.plusSeconds(61)))
                .isInstanceOf(Signer.Expired.class).hasMessageContaining("61 s > 60 s");
        // the timestamp is under the signature: making it younger breaks the signature
        String younger = signed.replace(":" + Signer.base62(1_700_000_000L) + ":", ":" + Signer.base62(1_700_000_050L) + ":");
        assertThat(younger).isNotEqualTo(signed);
        assertThatThrownBy(() -> s.unsignTimestamped(younger, Duration.ofSeconds(60), at.plusSeconds(100)))
                .isInstanceOf(Signer.BadSignature.class).isNotInstanceOf(Signer.Expired.class);
    }
}
