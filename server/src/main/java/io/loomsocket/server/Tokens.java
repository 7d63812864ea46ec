package io.loomsocket.server;

/** Character classes of RFC 9110 §5.6.2 (token) and §5.5 (field values). */
final class Tokens {
    private Tokens() {}

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    static boolean isTchar(int c) {
        return c >= 0 && c < 128 && TCHAR[c];
    }

    static boolean isToken(CharSequence s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (!isTchar(s.charAt(i))) return false;
        return true;
    }

    /** field-vchar / SP / HTAB, obs-text allowed (RFC 9110 §5.5). */
    static boolean isFieldValueByte(int b) {
        return b == '\t' || (b >= 0x20 && b != 0x7f);
    }
}
