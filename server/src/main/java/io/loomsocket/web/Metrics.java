package io.loomsocket.web;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketListener;
import io.loomsocket.server.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's metrics in Micrometer, scraped in the Prometheus text format at
 * {@code metrics.path} (setting {@code metrics.enabled}). Every name starts with
 * {@code loomsocket_}. Micrometer is an optional dependency: this class is loaded only when the
 * setting is on, so an application without metrics needs no Micrometer jar.
 *
 * <p>The hot path stays cheap: each message is counted in {@link LongAdder}s held in fields (no
 * lookup by name or tag, no contended compare-and-set across carrier threads), which Micrometer
 * reads when it is scraped; only a close looks its code's counter up, in a map bounded
 * by the codes RFC 6455 defines (others are counted as {@code 3xxx} / {@code 4xxx} / {@code other}).
 * Add your own meters to {@link #registry()}.
 */
public final class Metrics implements WebSocketListener {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong openWebSockets = new AtomicLong();
    private final Counter opened;
    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder receivedBytes = new LongAdder();
    private final LongAdder sentBytes = new LongAdder();
    private final Counter keepaliveTimeouts;
    private final Counter accepted;
    private final ConcurrentHashMap<String, Counter> closes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> refused = new ConcurrentHashMap<>();
    private final AtomicReference<HttpServer> server = new AtomicReference<>();

    Metrics() {
        Gauge.builder("loomsocket.websocket.connections", openWebSockets, AtomicLong::get)
                .description("open WebSockets").register(registry);
        opened = Counter.builder("loomsocket.websocket.opened").description("WebSockets opened").register(registry);
        FunctionCounter.builder("loomsocket.websocket.messages.received", received, LongAdder::sum)
                .description("messages the views received").register(registry);
        FunctionCounter.builder("loomsocket.websocket.messages.sent", sent, LongAdder::sum)
                .description("messages the views sent").register(registry);
        FunctionCounter.builder("loomsocket.websocket.received", receivedBytes, LongAdder::sum).baseUnit("bytes")
                .description("payload bytes of the messages received (UTF-8 for text, before compression)").register(registry);
        FunctionCounter.builder("loomsocket.websocket.sent", sentBytes, LongAdder::sum).baseUnit("bytes")
                .description("payload bytes of the messages sent (UTF-8 for text, before compression)").register(registry);
        keepaliveTimeouts = Counter.builder("loomsocket.websocket.keepalive.timeouts")
                .description("WebSockets dropped because a keepalive pong came too late").register(registry);
        accepted = Counter.builder("loomsocket.websocket.handshakes.accepted").description("WebSocket handshakes answered with 101")
                .register(registry);
        Gauge.builder("loomsocket.http.connections", server, s -> s.get() == null ? 0 : s.get().openConnections())
                .description("open TCP connections, WebSockets included").register(registry);
        FunctionCounter.builder("loomsocket.http.connections.accepted", server, s -> s.get() == null ? 0 : s.get().acceptedConnections())
                .description("TCP connections accepted").register(registry);
        FunctionCounter.builder("loomsocket.http.connections.refused", server, s -> s.get() == null ? 0 : s.get().refusedConnections())
                .description("TCP connections refused with 503 at http.max_connections").register(registry);
        FunctionCounter.builder("loomsocket.http.write.timeouts", server, s -> s.get() == null ? 0 : s.get().writeTimeouts())
                .description("HTTP connections closed because the client stopped reading a response").register(registry);
    }

    /** The registry: add meters of your own (the channel layer's, say) to have them scraped too. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition format (version 0.0.4) of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    void bind(HttpServer s) {
        server.set(s);
    }

    void bindAccessLog(AccessLog log) {
        FunctionCounter.builder("loomsocket.access.log.dropped", log, AccessLog::dropped)
                .description("access log lines dropped because the output could not keep up").register(registry);
    }

    void handshakeAccepted() {
        accepted.increment();
    }

    /**
     * A WebSocket handshake answered with {@code status} instead of 101, for {@code reason}:
     * {@code origin}, {@code invalid}, {@code version}, {@code not_websocket_view}, {@code shutting_down}
     * or {@code application} (a middleware or view answered).
     */
    void handshakeRefused(String reason, int status) {
        refused.computeIfAbsent(reason + " " + status, k -> Counter.builder("loomsocket.websocket.handshakes.refused")
                .description("WebSocket handshakes refused, by reason and HTTP status")
                .tag("reason", reason).tag("status", Integer.toString(status)).register(registry)).increment();
    }

    @Override
    public void opened(WebSocket ws) {
        openWebSockets.incrementAndGet();
        opened.increment();
    }

    @Override
    public void received(WebSocket ws, boolean text, long bytes) {
        received.increment();
        if (bytes > 0) receivedBytes.add(bytes);
    }

    @Override
    public void sent(WebSocket ws, boolean text, long bytes) {
        sent.increment();
        if (bytes > 0) sentBytes.add(bytes);
    }

    @Override
    public void keepaliveTimedOut(WebSocket ws) {
        keepaliveTimeouts.increment();
    }

    @Override
    public void closed(WebSocket ws, int code) {
        openWebSockets.decrementAndGet();
        String label = code >= 1000 && code <= 1015 ? Integer.toString(code)
                : code >= 3000 && code <= 3999 ? "3xxx" : code >= 4000 && code <= 4999 ? "4xxx" : "other";
        closes.computeIfAbsent(label, k -> Counter.builder("loomsocket.websocket.closes")
                .description("WebSockets closed, by close code (RFC 6455 §7.4)").tag("code", k).register(registry)).increment();
    }
}
