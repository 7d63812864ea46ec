package io.loomsocket.channels;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/** The Redis layer's record of when Redis was unreachable and what that cost. */
final class OutageLog {
    private static final System.Logger LOG = System.getLogger(RedisChannelLayer.class.getName());
    /** How many finished outages {@link ChannelStats#outages()} keeps. */
    static final int KEPT = 16;

    private final String where;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Outage> past = new ArrayDeque<>();
    private Instant downSince; // guarded by lock; null while up
    private long undelivered;  // guarded by lock; of the current outage

    OutageLog(String where) { this.where = where; }

    /** Redis was found unreachable (idempotent while down). */
    void down(String why) {
        lock.lock();
        try {
            if (downSince != null) return;
            downSince = Instant.now();
            undelivered = 0;
        } finally {
            lock.unlock();
        }
        LOG.log(Level.ERROR, "channel layer: Redis at " + where + " is unreachable (" + why + "); local delivery goes on, "
                + "messages for other servers are counted as undelivered until it is back; reconnecting with backoff");
    }

    /** One message could not be handed to Redis. */
    void undelivered(String why) {
        down(why);
        lock.lock();
        try {
            if (downSince != null) undelivered++;
        } finally {
            lock.unlock();
        }
    }

    /** Counts one undelivered message into the current outage; false if there is none. */
    boolean countIfDown() {
        lock.lock();
        try {
            if (downSince == null) return false;
            undelivered++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Redis is reachable again: closes the current outage, if any, and reports it. */
    Optional<Outage> up() {
        Outage o;
        lock.lock();
        try {
            if (downSince == null) return Optional.empty();
            o = new Outage(downSince, Optional.of(Instant.now()), undelivered);
            downSince = null;
            past.addLast(o);
            while (past.size() > KEPT) past.removeFirst();
        } finally {
            lock.unlock();
        }
        LOG.log(Level.WARNING, "channel layer: Redis at " + where + " is back. " + o);
        return Optional.of(o);
    }

    boolean isDown() {
        lock.lock();
        try {
            return downSince != null;
        } finally {
            lock.unlock();
        }
    }

    List<Outage> snapshot() {
        lock.lock();
        try {
            var out = new ArrayList<>(past);
            if (downSince != null) out.add(new Outage(downSince, Optional.empty(), undelivered));
            return out;
        } finally {
            lock.unlock();
        }
    }
}
