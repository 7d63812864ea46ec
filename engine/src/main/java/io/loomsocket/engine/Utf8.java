package io.loomsocket.engine;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 helpers for message lengths, close reasons and limits. Text goes on the wire as
 * {@link String#getBytes} with UTF-8 encodes it, which writes a lone (unpaired) surrogate as
 * {@code '?'}: one byte. Every length here is the length of exactly those bytes.
 */
public final class Utf8 {
    private Utf8() {}

    /**
     * The number of bytes {@code s.toString().getBytes(UTF_8)} produces, without encoding it: 1
     * for U+0000..U+007F, 2 up to U+07FF, 3 for the rest of the BMP, 4 for a surrogate pair, and
     * 1 for a lone surrogate (encoded as {@code '?'}).
     */
    public static int encodedLength(CharSequence s) {
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
