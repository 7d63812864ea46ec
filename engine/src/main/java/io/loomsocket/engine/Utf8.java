package io.loomsocket.engine;

import java.nio.charset.StandardCharsets;

/** UTF-8 helpers for close reasons and limits. */
final class Utf8 {
    private Utf8() {}

    /** UTF-8 length of {@code s} as {@link String#getBytes} with UTF-8 would produce it. */
    static int encodedLength(CharSequence s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1; // a lone surrogate is encoded as '?'
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** The longest prefix of {@code s} whose UTF-8 encoding fits {@code maxBytes}, never splitting a code point. */
    static String truncate(String s, int maxBytes) {
        if (s == null) {
            return "";
        }
        if (s.length() * 3 <= maxBytes || encodedLength(s) <= maxBytes) {
            return s;
        }
        int n = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int w = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? (Character.isSurrogate((char) cp) ? 1 : 3) : 4;
            if (n + w > maxBytes) {
                break;
            }
            n += w;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    static byte[] encode(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
