package io.loomsocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A message's length is the number of payload bytes that go on the wire. */
class MessageTest {

    @Test
    void textLengthIsTheLengthOfItsBytes() {
        for (String s : new String[] {"", "a", "caf\u00e9", "\u20ac", "\ud83d\ude00", "\ud800", "a\udc00b", "\ude00\ud83d"}) {
            Message m = new Message.Text(s);
            assertThat(m.length()).as("%s", s.chars().mapToObj(Integer::toHexString).toList()).isEqualTo(m.bytes().length);
        }
    }
}
