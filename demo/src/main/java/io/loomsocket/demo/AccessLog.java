package io.loomsocket.demo;

import io.loomsocket.web.Middleware;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prints one line per request, the way Django's runserver does:
 * {@code [25/Nov/2026 20:00:00] "GET /index/" 200 1373}. A WebSocket is logged when it ends,
 * with its close code. Put it first in the chain so it sees every response.
 *
 * <p>Requests only queue their line; one platform thread writes them in batches. Printing on the
 * request's virtual thread would block its carrier in a file write under the stream's lock, and a
 * terminal or pipe that stops reading would stall every request (JFR under the handshake benchmark
 * on a busy box: 20 % of server samples in the println; on a quiet box the handshake rate was the
 * same either way, 899-1,182 vs 1,133-1,205 cycles/s). The request only notes the time in
 * milliseconds: the writer formats it, once per second (formatting the date on every request was
 * 9 % of server samples under the handshake benchmark). The queue holds at most
 * {@value #MAX_QUEUED_LINES} lines; beyond that lines are dropped, counted, and the count is
 * printed with the next line that gets through.
 */
final class AccessLog implements Middleware, AutoCloseable {
    /** Lines waiting for the writer thread; more are dropped (and counted). */
    static final int MAX_QUEUED_LINES = 10_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy HH:mm:ss", Locale.ROOT);
    private static final Line STOP = new Line(0, "", "");

    /** What a request leaves for the writer: when it ended, what was asked, what came of it. */
    private record Line(long epochMillis, String what, String outcome) {}

    private final PrintStream out;
    private final BlockingQueue<Line> lines = new ArrayBlockingQueue<>(MAX_QUEUED_LINES);
    private final ZoneId zone = ZoneId.systemDefault();
    /** The writer's cache: the second it last formatted, and how. */
    private long formattedSecond = Long.MIN_VALUE;
    private String formattedTime = "";
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;

    AccessLog(PrintStream out) {
        this.out = out;
        this.writer = Thread.ofPlatform().daemon().name("demo-access-log").start(this::writeLoop);
    }

    @Override
    public Response processResponse(Request request, Response response) {
        String what = request.method() + " " + request.path() + (request.queryString().isEmpty() ? "" : "?" + request.queryString());
        String outcome;
        if (response.isUpgraded()) {
            outcome = "101 WebSocket closed " + request.websocketIfOpen()
                    .map(ws -> ws.closeCode().isPresent() ? String.valueOf(ws.closeCode().getAsInt()) : "?").orElse("?");
        } else {
            byte[] body = response.content();
            outcome = response.status() + " " + (body != null ? String.valueOf(body.length) : "-");
        }
        if (!lines.offer(new Line(System.currentTimeMillis(), what, outcome))) {
            dropped.incrementAndGet();
        }
        return response;
    }

    /** Writes what is queued, then stops the writer (waits up to a second). */
    @Override
    public void close() {
        try {
            lines.put(STOP);
            writer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        List<Line> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(lines.take());
                lines.drainTo(batch, 1000);
                long lost = dropped.getAndSet(0);
                if (lost > 0) out.println("[access log: " + lost + " lines dropped, the log could not keep up]");
                for (Line line : batch) {
                    if (line == STOP) {
                        out.flush();
                        return;
                    }
                    out.println("[" + time(line.epochMillis()) + "] \"" + printable(line.what()) + "\" " + line.outcome());
                }
                out.flush();
                batch.clear();
            }
        } catch (InterruptedException e) {
            // the JVM is exiting
        }
    }

    /** The writer's: {@code dd/MMM/yyyy HH:mm:ss} in the system zone, formatted once per second. */
    private String time(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != formattedSecond) {
            formattedTime = TIME.format(LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), zone));
            formattedSecond = second;
        }
        return formattedTime;
    }

    /** Request text comes from the client: no control characters reach the terminal. */
    static String printable(String s) {
        int i = 0;
        while (i < s.length() && !Character.isISOControl(s.charAt(i))) i++;
        if (i == s.length()) return s; // the common case: nothing to escape
        StringBuilder sb = new StringBuilder(s.length() + 8).append(s, 0, i);
        s.codePoints().skip(s.codePointCount(0, i)).forEach(c -> {
            if (Character.isISOControl(c)) sb.append(String.format("\\x%02x", c));
            else sb.appendCodePoint(c);
        });
        return sb.toString();
    }
}
