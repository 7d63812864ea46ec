package io.loomsocket.web;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * The access log: one line per request in the Common Log Format, with a WebSocket's close code
 * appended when it ends:
 * <pre>
 * 127.0.0.1 - - [02/Dec/2026:19:40:00 +0000] "GET /index/?token=*** HTTP/1.1" 200 1373
 * 127.0.0.1 - - [02/Dec/2026:19:40:02 +0000] "GET /echo HTTP/1.1" 101 - "WebSocket closed 1000"
 * </pre>
 * Turned on by the {@code access_log} setting ({@code stdout}, {@code stderr} or a file, appended
 * to); {@link WebApp} then puts it first in the middleware chain, so it sees every response.
 * The client address is {@link Request#clientAddress()} (the proxy's client when the peer is a
 * trusted proxy). Values of the query parameters named in {@code access_log.redact} are printed
 * as {@code ***}; control characters in request text are escaped.
 *
 * <p>Requests only queue their line; one platform thread formats and writes them in batches,
 * at most one batch per {@value #LINGER_MILLIS} ms, so that under load a batch costs one write and
 * one wake-up of the writer rather than one per request (a line is printed up to that much later).
 * Printing on the request's virtual thread would block its carrier in a file write under the
 * stream's lock, and a terminal or pipe that stops reading would stall every request. The queue
 * holds at most {@value #MAX_QUEUED_LINES} lines (and the writer a batch of {@value #BATCH}); beyond that lines are dropped, counted
 * ({@link #dropped()}), and the count is printed with the next line that gets through.
 */
public final class AccessLog implements Middleware, AutoCloseable {
    /** Lines waiting for the writer thread; more are dropped (and counted). */
    public static final int MAX_QUEUED_LINES = 10_000;
    /** Most lines the writer takes from the queue at once (held while it writes them). */
    static final int BATCH = 1000;
    /** How long the writer waits after a batch before it takes the next (lines gather meanwhile). */
    static final long LINGER_MILLIS = 10;
    /** The default of {@code access_log.redact}: query parameters whose values are never printed. */
    public static final String DEFAULT_REDACT = "token,access_token,password,key,secret";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private static final Line STOP = new Line(0, "", "", "", "", "", 0, -1, null);

    /** What a request leaves for the writer; formatting (and redacting) happens there. */
    private record Line(long epochMillis, String client, String method, String path, String query, String version,
                        int status, long bytes, String note) {}

    private final PrintStream out;
    private final boolean ownsStream;
    private final Set<String> redact;
    private final BlockingQueue<Line> lines = new ArrayBlockingQueue<>(MAX_QUEUED_LINES);
    private final ZoneId zone = ZoneId.systemDefault();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();
    private final ReentrantLock startLock = new ReentrantLock();
    private volatile Thread writer;
    private volatile boolean closed;
    /** The writer's cache: the second it last formatted, and how. */
    private long formattedSecond = Long.MIN_VALUE;
    private String formattedTime = "";

    /**
     * A log writing to {@code out}, printing the values of the query parameters named in
     * {@code redact} (ASCII case ignored) as {@code ***}.
     */
    public AccessLog(PrintStream out, Set<String> redact) {
        this(out, false, redact);
    }

    private AccessLog(PrintStream out, boolean ownsStream, Set<String> redact) {
        this.out = out;
        this.ownsStream = ownsStream;
        this.redact = redact.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The log the settings ask for: empty when {@code access_log} is empty or {@code off}, else
     * to {@code stdout}, {@code stderr} or the file named (created if missing, appended to).
     */
    static Optional<AccessLog> fromSettings(Settings settings) {
        String where = settings.string("access_log").strip();
        Set<String> redact = parseNames(settings.string("access_log.redact"));
        return switch (where.toLowerCase(Locale.ROOT)) {
            case "", "off" -> Optional.empty();
            case "stdout" -> Optional.of(new AccessLog(System.out, redact));
            case "stderr" -> Optional.of(new AccessLog(System.err, redact));
            default -> {
                try {
                    PrintStream file = new PrintStream(new BufferedOutputStream(new FileOutputStream(where, true)), false, StandardCharsets.UTF_8);
                    yield Optional.of(new AccessLog(file, true, redact));
                } catch (IOException e) {
                    throw new SettingsException("access_log: cannot open '" + where + "' for appending: " + e.getMessage(), e);
                }
            }
        };
    }

    /** The comma-separated names of {@code access_log.redact}. */
    static Set<String> parseNames(String list) {
        Set<String> names = new LinkedHashSet<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) names.add(s.strip().toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(names);
    }

    @Override
    public Response processResponse(Request request, Response response) {
        if (closed) return response;
        int status;
        long bytes;
        String note = null;
        if (response.isUpgraded()) {
            status = 101;
            bytes = -1;
            note = request.websocketIfOpen()
                    .map(ws -> "WebSocket closed " + (ws.closeCode().isPresent() ? String.valueOf(ws.closeCode().getAsInt()) : "?"))
                    .orElse("upgraded");
        } else {
            status = response.status();
            byte[] body = response.content();
            bytes = body != null ? body.length : response.length();
        }
        var head = request.exchange().request();
        Line line = new Line(System.currentTimeMillis(), request.clientAddress(), head.method(), head.path(), head.rawQuery(),
                head.version(), status, bytes, note);
        if (writer == null) startWriter();
        if (!lines.offer(line)) {
            dropped.incrementAndGet();
            droppedTotal.incrementAndGet();
        }
        return response;
    }

    /** Lines dropped since start because the output could not keep up. */
    public long dropped() {
        return droppedTotal.get();
    }

    /** Writes what is queued, then stops the writer (waits up to a second); closes a file it opened. */
    @Override
    public void close() {
        closed = true;
        Thread w = writer;
        if (w != null) {
            try {
                lines.put(STOP);
                w.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownsStream) out.close();
        else out.flush();
    }

    private void startWriter() {
        startLock.lock();
        try {
            if (writer == null) writer = Thread.ofPlatform().daemon().name("loomsocket-access-log").start(this::writeLoop);
        } finally {
            startLock.unlock();
        }
    }

    private void writeLoop() {
        List<Line> batch = new ArrayList<>();
        StringBuilder sb = new StringBuilder(256);
        try {
            while (true) {
                batch.add(lines.take());
                lines.drainTo(batch, BATCH - 1);
                long lost = dropped.getAndSet(0);
                if (lost > 0) out.println("[access log: " + lost + " lines dropped, the log could not keep up]");
                for (Line line : batch) {
                    if (line == STOP) {
                        out.flush();
                        return;
                    }
                    sb.setLength(0);
                    format(line, sb);
                    out.println(sb);
                }
                out.flush();
                boolean full = batch.size() == BATCH;
                batch.clear();
                if (!full) Thread.sleep(LINGER_MILLIS);
            }
        } catch (InterruptedException e) {
            // the JVM is exiting
        } catch (RuntimeException e) {
            System.getLogger("io.loomsocket.web").log(System.Logger.Level.ERROR, "access log writer failed; no more access lines", e);
        }
    }

    private void format(Line l, StringBuilder sb) {
        sb.append(l.client()).append(" - - [").append(time(l.epochMillis())).append("] \"")
                .append(printable(l.method())).append(' ').append(printable(l.path()));
        if (!l.query().isEmpty()) sb.append('?').append(printable(redactQuery(l.query(), redact)));
        sb.append(' ').append(l.version()).append("\" ").append(l.status()).append(' ')
                .append(l.bytes() >= 0 ? Long.toString(l.bytes()) : "-");
        if (l.note() != null) sb.append(" \"").append(l.note()).append('"');
    }

    /**
     * The raw query with the values of parameters named in {@code names} (decoded, ASCII case
     * ignored) replaced by {@code ***}; everything else as received.
     */
    static String redactQuery(String rawQuery, Set<String> names) {
        if (names.isEmpty() || rawQuery.isEmpty()) return rawQuery;
        StringBuilder sb = new StringBuilder(rawQuery.length());
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) end = rawQuery.length();
            String pair = rawQuery.substring(start, end);
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (start > 0) sb.append('&');
            if (eq >= 0 && names.contains(decodedName(name))) sb.append(name).append("=***");
            else sb.append(pair);
            start = end + 1;
        }
        return sb.toString();
    }

    private static String decodedName(String raw) {
        try {
            return Params.decode(raw, true).toLowerCase(Locale.ROOT);
        } catch (RuntimeException e) { // a malformed escape: not one of the names
            return raw.toLowerCase(Locale.ROOT);
        }
    }

    /** The writer's: {@code dd/MMM/yyyy:HH:mm:ss Z} in the system zone, formatted once per second. */
    private String time(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != formattedSecond) {
            formattedTime = TIME.format(ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), zone));
            formattedSecond = second;
        }
        return formattedTime;
    }

    /** Request text comes from the client: no control characters (and no {@code "}) reach the terminal raw. */
    static String printable(String s) {
        int i = 0;
        while (i < s.length() && !Character.isISOControl(s.charAt(i)) && s.charAt(i) != '"') i++;
        if (i == s.length()) return s; // the common case: nothing to escape
        StringBuilder sb = new StringBuilder(s.length() + 8).append(s, 0, i);
        s.codePoints().skip(s.codePointCount(0, i)).forEach(c -> {
            if (Character.isISOControl(c) || c == '"') sb.append(String.format("\\x%02x", c));
            else sb.appendCodePoint(c);
        });
        return sb.toString();
    }

    @Override
    public String toString() {
        return "AccessLog";
    }
}
