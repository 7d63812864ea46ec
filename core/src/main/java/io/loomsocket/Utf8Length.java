package io.loomsocket;

/** UTF-8 encoded length of a Java string, without encoding it. */
final class Utf8Length {
    private Utf8Length() {}

    static int of(CharSequence s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) n += 1;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) { n += 4; i++; }
            else n += 3; // BMP char, or a lone surrogate (encoded as '?' by String.getBytes: 1 byte; counted high, safe for limits)
        }
        return n;
    }
}
