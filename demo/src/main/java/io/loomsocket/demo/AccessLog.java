package io.loomsocket.demo;

import io.loomsocket.web.Middleware;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Prints one line per request, the way Django's runserver does:
 * {@code [25/Nov/2026 20:00:00] "GET /index/" 200 1373}. A WebSocket is logged when it ends,
 * with its close code. Put it first in the chain so it sees every response.
 */
final class AccessLog implements Middleware {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy HH:mm:ss", Locale.ROOT);
    private final PrintStream out;

    AccessLog(PrintStream out) {
        this.out = out;
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
        out.println("[" + TIME.format(LocalDateTime.now()) + "] \"" + printable(what) + "\" " + outcome);
        return response;
    }

    /** Request text comes from the client: no control characters reach the terminal. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) sb.append(String.format("\\x%02x", c));
            else sb.appendCodePoint(c);
        });
        return sb.toString();
    }
}
