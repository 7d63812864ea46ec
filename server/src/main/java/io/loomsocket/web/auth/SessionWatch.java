package io.loomsocket.web.auth;

import io.loomsocket.WebSocket;
import io.loomsocket.web.Request;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ends the WebSockets of logged-in users whose session ends: at once when this server deletes
 * the session (logout, key rotation), and otherwise on a check every
 * {@code session.check_interval} (expiry, and deletion on another server through the store).
 * Such a WebSocket is closed with 1008 (policy violation, RFC 6455 §7.4.1) and the reason
 * "session expired" or "session ended". One virtual thread does the checks for every
 * connection, and exists only while some WebSocket is watched. Thread-safe.
 */
final class SessionWatch {
    private static final System.Logger LOG = System.getLogger("io.loomsocket.web.auth");

    private final SessionStore store;
    private final Duration interval;
    private final Clock clock;
    /** Watched requests by session id, with the session's expiry. */
    private final Map<String, Watched> byId = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();

    private record Watched(Instant expiresAt, Set<Request> requests) {}

    SessionWatch(SessionStore store, Duration interval, Clock clock) {
        this.store = store;
        this.interval = interval;
        this.clock = clock;
    }

    /** Watches the WebSocket of {@code request} (opened, or about to be) for the session {@code id}. */
    void watch(Request request, String id, Instant expiresAt) {
        byId.compute(id, (k, w) -> {
            Watched watched = w != null ? w : new Watched(expiresAt, ConcurrentHashMap.newKeySet());
            watched.requests().add(request);
            return watched;
        });
        if (running.compareAndSet(false, true)) Thread.ofVirtual().name("loomsocket-session-watch").start(this::loop);
    }

    /** Stops watching (the WebSocket's view returned, or the handshake was refused). */
    void unwatch(Request request, String id) {
        byId.computeIfPresent(id, (k, w) -> {
            w.requests().remove(request);
            return w.requests().isEmpty() ? null : w;
        });
    }

    /** The session {@code id} was deleted here: close its WebSockets now. */
    void ended(String id) {
        Watched w = byId.remove(id);
        if (w != null) closeAll(w, "session ended");
    }

    int watchedSessions() {
        return byId.size();
    }

    private void loop() {
        while (true) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                running.set(false);
                return;
            }
            if (byId.isEmpty()) {
                running.set(false);
                // a watch() between the isEmpty and the set saw running still true: take its work
                if (byId.isEmpty() || !running.compareAndSet(false, true)) return;
            }
            try {
                check();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "checking the sessions of open WebSockets failed (they stay open until the next check): " + e, e);
            }
        }
    }

    /** One round: expired sessions, then those the store no longer has. */
    void check() {
        Instant now = clock.instant();
        List<String> live = new ArrayList<>();
        for (Map.Entry<String, Watched> e : byId.entrySet()) {
            if (!now.isBefore(e.getValue().expiresAt())) {
                if (byId.remove(e.getKey(), e.getValue())) closeAll(e.getValue(), "session expired");
            } else {
                live.add(e.getKey());
            }
        }
        if (live.isEmpty()) return;
        Set<String> existing = store.existing(live);
        for (String id : live) {
            if (!existing.contains(id)) ended(id);
        }
    }

    /** Closes each WebSocket on its own virtual thread: a close waits for the peer's answer. */
    private static void closeAll(Watched w, String reason) {
        for (Request r : w.requests()) {
            r.websocketIfOpen().ifPresent(ws -> Thread.ofVirtual().name("loomsocket-session-close")
                    .start(() -> closeQuietly(ws, reason)));
        }
    }

    private static void closeQuietly(WebSocket ws, String reason) {
        try {
            ws.close(1008, reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing a WebSocket whose session ended failed: " + e);
        }
    }
}
