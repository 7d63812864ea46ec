package io.loomsocket.channels;

import io.loomsocket.Message;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The kept messages of one group of the memory layer: a ring bounded by count, age and bytes
 * ({@link HistoryLimits}). Its lock orders the group: a message gets its id and reaches the
 * members under it, and a member joins under it.
 */
final class MemoryHistory {
    record Entry(MessageId id, Message message, long atMs) {}

    final ReentrantLock lock = new ReentrantLock();
    private final HistoryLimits limits;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long bytes;            // guarded by lock: payload bytes in entries
    private MessageId last;        // guarded by lock: the newest id given
    private MessageId trimmed;     // guarded by lock: ids up to this one are no longer kept

    MemoryHistory(HistoryLimits limits, long nowMs) {
        this.limits = limits;
        // ids before the ring existed (e.g. from before a restart) count as no longer kept
        this.last = new MessageId(nowMs, 0);
        this.trimmed = last;
    }

    /** Gives the message the next id and keeps it as {@code h} stamps it (the caller holds the lock). */
    Entry append(History h, Message sent, long nowMs) {
        MessageId id = MessageId.next(last, nowMs);
        last = id;
        Entry e = new Entry(id, h.stamped(id, sent), nowMs);
        entries.addLast(e);
        bytes += e.message().length();
        trim(nowMs);
        return e;
    }

    /** Drops what is past the limits (the caller holds the lock). */
    void trim(long nowMs) {
        long oldest = nowMs - limits.maxAge().toMillis();
        while (!entries.isEmpty() && (entries.size() > limits.maxMessages() || bytes > limits.maxBytes()
                || entries.peekFirst().atMs() < oldest)) {
            Entry e = entries.pollFirst();
            bytes -= e.message().length();
            trimmed = e.id();
        }
    }

    /** Whether everything after {@code since} is still kept (the caller holds the lock). */
    boolean keptAfter(MessageId since) { return !since.before(trimmed); }

    /** Up to {@code max} kept messages after {@code since}, oldest first (the caller holds the lock). */
    List<Entry> after(MessageId since, int max) {
        var out = new ArrayList<Entry>(Math.min(max, entries.size()));
        for (Entry e : entries) {
            if (e.id().after(since)) {
                out.add(e);
                if (out.size() == max) break;
            }
        }
        return out;
    }

    boolean isEmpty() { return entries.isEmpty(); }
}
