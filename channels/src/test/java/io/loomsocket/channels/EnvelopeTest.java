package io.loomsocket.channels;

import io.loomsocket.Message;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeTest {
    @Test
    void roundTripsTextAndBinaryWithTheStampedSequence() {
        var e = Envelope.of(Message.text("héllo 👋"), "s.abc", "chat_x");
        byte[] bytes = e.encode();
        Envelope.stampSeq(bytes, e.seqOffset(), 42);
        var d = Envelope.decode(bytes);
        assertThat(d.seq()).isEqualTo(42);
        assertThat(d.origin()).isEqualTo("s.abc");
        assertThat(d.target()).isEqualTo("chat_x");
        assertThat(d.message()).isEqualTo(Message.text("héllo 👋"));
        var b = Envelope.decode(Envelope.of(Message.binary(new byte[] {0, (byte) 0xff}), "o", "t").encode());
        assertThat(b.message()).isEqualTo(Message.binary(new byte[] {0, (byte) 0xff}));
        assertThat(Envelope.decode(Envelope.of(Message.text(""), "o", "t").encode()).message()).isEqualTo(Message.text(""));
    }

    @Test
    void rejectsForeignBytes() {
        assertThatThrownBy(() -> Envelope.decode(new byte[] {9})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Envelope.decode(new byte[] {1, 1, 5, 'a'})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Envelope.decode(new byte[] {1, 7})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind");
        assertThatThrownBy(() -> Envelope.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
