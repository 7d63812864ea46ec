package io.loomsocket.interop.matrix;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * OkHttp's WebSocket client against our server. OkHttp offers permessage-deflate on its own
 * (RFC 7692, since 4.x) and sends no fragmented messages; it has no ping API, so its automatic
 * pings (every second here) are the ping check: OkHttp fails the connection when a pong is missing.
 */
public final class OkHttpClientDriver {

    private OkHttpClientDriver() {}

    private record Event(String text, byte[] bytes, int closeCode, String closeReason, Throwable failure, String extensions) {}

    private static final class Listener extends WebSocketListener {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>(1000);

        @Override public void onOpen(WebSocket ws, Response response) {
            events.add(new Event(null, null, 0, null, null, String.valueOf(response.header("Sec-WebSocket-Extensions"))));
        }
        @Override public void onMessage(WebSocket ws, String text) { events.add(new Event(text, null, 0, null, null, null)); }
        @Override public void onMessage(WebSocket ws, ByteString bytes) { events.add(new Event(null, bytes.toByteArray(), 0, null, null, null)); }
        @Override public void onClosing(WebSocket ws, int code, String reason) {
            events.add(new Event(null, null, code, reason, null, null));
            ws.close(code, null);
        }
        @Override public void onFailure(WebSocket ws, Throwable t, Response response) { events.add(new Event(null, null, -1, null, t, null)); }

        Event next() throws InterruptedException {
            Event e = events.poll(JdkClientDriver.STEP.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) throw new IllegalStateException("nothing received within " + JdkClientDriver.STEP);
            if (e.failure != null) throw new IllegalStateException("OkHttp failed the connection: " + e.failure, e.failure);
            return e;
        }
    }

    public static Checks run(String echo, String close, int maxSize) {
        Checks checks = new Checks();
        OkHttpClient client = new OkHttpClient.Builder()
            .pingInterval(1, TimeUnit.SECONDS)
            .connectTimeout(15, TimeUnit.SECONDS).readTimeout(15, TimeUnit.SECONDS).build();
        try {
            Listener l = new Listener();
            WebSocket ws = client.newWebSocket(new Request.Builder().url(echo).build(), l);
            Event open = l.next();
            checks.check("negotiated extensions=" + open.extensions, open.extensions.contains("permessage-deflate"), open.extensions);
            echoText(ws, l, checks, "hello", "text ascii");
            echoText(ws, l, checks, "héllo wörld ✓ 日本語 🎉", "text non-ascii");
            for (int n : Checks.sizes(maxSize)) {
                echoText(ws, l, checks, Checks.text(n), "text " + n + " bytes");
                byte[] b = Checks.binary(n, n);
                ws.send(ByteString.of(b));
                Event e = l.next();
                checks.check("binary " + n + " bytes", e.bytes != null && Arrays.equals(e.bytes, b), String.valueOf(e));
            }
            Thread.sleep(2500); // two or three automatic pings; a missing pong would fail the connection
            echoText(ws, l, checks, "after 2.5 s of pings every second", "ping -> pong (automatic, every second)");
            ws.close(4001, "client bye ✓");
            Event e = l.next();
            // RFC 6455 §5.5.1: the server "typically echos the status code"; the reason need not come back
            checks.check("client close 4001 echoed", e.closeCode == 4001, e.closeCode + " " + e.closeReason);

            Listener l2 = new Listener();
            WebSocket ws2 = client.newWebSocket(new Request.Builder().url(close).build(), l2);
            l2.next();
            ws2.send("close 4002 server bye ✓");
            e = l2.next();
            checks.check("server close 4002", e.closeCode == 4002 && "server bye ✓".equals(e.closeReason), e.closeCode + " " + e.closeReason);
        } catch (Exception ex) {
            checks.fail("driver", ex);
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
        return checks;
    }

    private static void echoText(WebSocket ws, Listener l, Checks checks, String text, String name) throws InterruptedException {
        if (!ws.send(text)) {
            checks.check(name, false, "OkHttp refused to send (closed or queue full)");
            return;
        }
        Event e = l.next();
        checks.check(name, text.equals(e.text), e.text == null ? String.valueOf(e) : e.text.length() + " chars");
    }
}
