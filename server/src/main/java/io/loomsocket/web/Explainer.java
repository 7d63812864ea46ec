package io.loomsocket.web;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The server's explanations of mistakes that would otherwise fail without a word: a refused
 * handshake and why, a view's return value that is ignored, a URL pattern that cannot match, an
 * annotation that is not read. Each cause is logged at WARNING the first time, then at most once
 * per {@link #INTERVAL_NANOS} with the number of times it happened in between, so a client
 * repeating a refused request cannot flood the log. Causes are keyed by kind and URL pattern
 * (never by client input), so the table stays as small as the URL list.
 */
final class Explainer {
    static final System.Logger LOG = System.getLogger("io.loomsocket.web");
    /** A cause logged once is logged again at most this often. */
    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final class Cause {
        volatile long loggedAt;
        final AtomicLong suppressed = new AtomicLong();
    }

    private final ConcurrentHashMap<String, Cause> causes = new ConcurrentHashMap<>();

    /** Logs {@code message} unless the same {@code cause} was logged in the last interval (then counts it). */
    void explain(String cause, Supplier<String> message) {
        long now = System.nanoTime();
        Cause c = causes.get(cause);
        if (c == null) {
            Cause fresh = new Cause();
            c = causes.putIfAbsent(cause, fresh);
            if (c == null) {
                fresh.loggedAt = now;
                LOG.log(System.Logger.Level.WARNING, message.get());
                return;
            }
        }
        long last = c.loggedAt;
        if (now - last < INTERVAL_NANOS) {
            c.suppressed.incrementAndGet();
            return;
        }
        c.loggedAt = now;
        long more = c.suppressed.getAndSet(0);
        LOG.log(System.Logger.Level.WARNING, message.get() + (more > 0 ? " (and " + more + " more times in the last minute)" : ""));
    }

    /** How a view is named in logs: its own name, or "a lambda" for a lambda (whose class name says nothing). */
    static String describe(View view) {
        return view.getClass().isHidden() ? "a lambda" : String.valueOf(view);
    }

    /** Warnings about a URL list, logged once when the application is built. */
    static void checkUrls(List<UrlPattern> urls) {
        for (UrlPattern p : urls) {
            String regex = p.regex().pattern();
            String start = regex.startsWith("^") ? regex.substring(1) : regex;
            if (start.startsWith("/") || start.startsWith("\\/")) {
                LOG.log(System.Logger.Level.WARNING, "URL pattern '" + regex + "' can never match: patterns are matched against"
                        + " the path without its leading slash; write '" + (regex.startsWith("^") ? "^" : "")
                        + start.substring(start.indexOf('/') + 1) + "'");
            }
        }
        unreadAnnotations(urls);
    }

    /**
     * {@code @AcceptWebSocket} and {@code @RequireWebSocket} are read by {@link Views#scan} only:
     * {@code path("^echo$", views::echo)} makes a plain view of an annotated method. For each
     * lambda or method reference in the list, the classes it comes from (its defining class and
     * the types of what it captured) are searched for annotated methods that no scanned view in
     * the list stands for; each one found is reported with the URL patterns that may mean it.
     */
    private static void unreadAnnotations(List<UrlPattern> urls) {
        Set<Method> scanned = new HashSet<>();
        for (UrlPattern p : urls) {
            WebSocketView w = Views.webSocketMarking(p.view());
            if (w != null && w.view() instanceof Views.MethodView m) scanned.add(m.method());
        }
        java.util.Map<Method, List<String>> unread = new java.util.LinkedHashMap<>();
        for (UrlPattern p : urls) {
            View v = p.view();
            if (Views.webSocketMarking(v) != null || !v.getClass().isHidden()) continue;
            for (Class<?> c : origins(v)) {
                for (Method m : c.getMethods()) {
                    boolean annotated = m.isAnnotationPresent(AcceptWebSocket.class) || m.isAnnotationPresent(RequireWebSocket.class);
                    if (annotated && !scanned.contains(m)) unread.computeIfAbsent(m, k -> new ArrayList<>()).add(p.regex().pattern());
                }
            }
        }
        unread.forEach((m, patterns) -> {
            String annotation = m.isAnnotationPresent(AcceptWebSocket.class) ? "@AcceptWebSocket" : "@RequireWebSocket";
            LOG.log(System.Logger.Level.WARNING, annotation + " on " + m.getDeclaringClass().getSimpleName() + "." + m.getName()
                    + " is not read: annotations take effect through Views.scan(views) only, and no URL pattern uses a view it made"
                    + " (URL pattern " + String.join(", ", patterns) + " has a plain lambda or method reference). Write path(regex, "
                    + "Views.scan(views).get(\"" + m.getName() + "\")), or wrap the view: "
                    + (annotation.equals("@AcceptWebSocket") ? "acceptWebSocket" : "requireWebSocket") + "(views::" + m.getName() + ")");
        });
    }

    /** The classes a lambda's code may come from: where it was written and what it captured. */
    private static Set<Class<?>> origins(View lambda) {
        Set<Class<?>> classes = new LinkedHashSet<>();
        classes.add(lambda.getClass().getNestHost());
        for (var f : lambda.getClass().getDeclaredFields()) {
            if (!f.getType().isPrimitive() && !f.getType().getName().startsWith("java.")) classes.add(f.getType());
        }
        classes.removeIf(c -> c == lambda.getClass());
        return classes;
    }
}
