package io.loomsocket.engine;

/**
 * The character classes of RFC 9110 that every HTTP parser and header check here uses: token
 * (§5.6.2), field value (§5.5) and optional whitespace (§5.6.3). Strict on purpose: only SP and
 * HTAB are whitespace, and control characters are never part of a token or a field value.
 */
public final class HttpTokens {
    private HttpTokens() {}

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    /** tchar (RFC 9110 §5.6.2): a letter, a digit or one of {@code !#$%&'*+-.^_`|~}. */
    public static boolean isTchar(int c) {
        return c >= 0 && c < 128 && TCHAR[c];
    }

    /** token = 1*tchar (RFC 9110 §5.6.2). */
    public static boolean isToken(CharSequence s) {
        if (s == null || s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (!isTchar(s.charAt(i))) return false;
        return true;
    }

    /** field-vchar / SP / HTAB, obs-text (0x80-0xFF) allowed (RFC 9110 §5.5); {@code c} unsigned. */
    public static boolean isFieldValueChar(int c) {
        return c == '\t' || (c >= 0x20 && c != 0x7f);
    }

    /** OWS = *( SP / HTAB ) (RFC 9110 §5.6.3); nothing else is whitespace around a value. */
    public static boolean isOws(int c) {
        return c == ' ' || c == '\t';
    }

    /**
     * {@code s} without leading and trailing SP and HTAB (RFC 9110 §5.6.3). Unlike
     * {@link String#strip()} and {@link String#trim()} it keeps VT, FF, FS..US and other control
     * characters, so that a validator after it still sees (and refuses) them.
     */
    public static String trimOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isOws(s.charAt(start))) start++;
        while (end > start && isOws(s.charAt(end - 1))) end--;
        return start == 0 && end == s.length() ? s : s.substring(start, end);
    }
}
