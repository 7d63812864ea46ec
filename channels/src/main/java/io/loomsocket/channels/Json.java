package io.loomsocket.channels;

/** The little JSON the layer writes itself: strings (RFC 8259 §7) and the id stamp of kept messages. */
final class Json {
    private Json() {}

    /** {@code s} as a JSON string literal. */
    static String string(String s) {
        var b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    /**
     * A text message that is a JSON object gets {@code "id":"<id>"} as its first member; any other
     * message is returned as it is.
     */
    static io.loomsocket.Message stampId(String id, io.loomsocket.Message m) {
        if (!m.isText()) return m;
        String t = m.text();
        int i = 0;
        while (i < t.length() && Character.isWhitespace(t.charAt(i))) i++;
        if (i == t.length() || t.charAt(i) != '{') return m;
        int j = i + 1;
        while (j < t.length() && Character.isWhitespace(t.charAt(j))) j++;
        String sep = j < t.length() && t.charAt(j) == '}' ? "" : ",";
        return io.loomsocket.Message.text(t.substring(0, i + 1) + "\"id\":\"" + id + "\"" + sep + t.substring(i + 1));
    }
}
