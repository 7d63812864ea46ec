package io.loomsocket.channels;

/**
 * The id of a kept message: {@code <milliseconds>-<sequence>}, the shape of a Redis stream entry id
 * (the Redis layer uses the stream's ids; the memory layer makes ids of the same shape). Ids of
 * one group increase in the order its members receive its messages.
 */
record MessageId(long ms, long seq) implements Comparable<MessageId> {
    static final MessageId ZERO = new MessageId(0, 0);

    /** @throws IllegalArgumentException unless {@code s} is two non-negative decimal longs joined by {@code -} */
    static MessageId parse(String s) {
        int dash = s == null ? -1 : s.indexOf('-');
        if (dash < 1 || dash == s.length() - 1 || s.length() > 41)
            throw new IllegalArgumentException("not a message id (<ms>-<seq>): " + s);
        try {
            long ms = Long.parseLong(s, 0, dash, 10);
            long seq = Long.parseLong(s, dash + 1, s.length(), 10);
            if (ms < 0 || seq < 0 || s.charAt(0) == '+' || s.charAt(dash + 1) == '+') throw new NumberFormatException();
            return new MessageId(ms, seq);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a message id (<ms>-<seq>): " + s, e);
        }
    }

    /** The next id after {@code last} for a message made at {@code nowMs} (as Redis' XADD makes them). */
    static MessageId next(MessageId last, long nowMs) {
        return nowMs > last.ms ? new MessageId(nowMs, 0) : new MessageId(last.ms, last.seq + 1);
    }

    @Override
    public int compareTo(MessageId o) {
        int c = Long.compare(ms, o.ms);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }

    boolean after(MessageId o) { return compareTo(o) > 0; }

    boolean before(MessageId o) { return compareTo(o) < 0; }

    @Override
    public String toString() { return ms + "-" + seq; }

    /**
     * {@code m} as delivered with the id {@code id}: a text message that is a JSON object gets
     * {@code "id":"<id>"} as its first member; any other message is returned as it is.
     */
    static io.loomsocket.Message stamp(String id, io.loomsocket.Message m) {
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
