package io.loomsocket.interop.matrix;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@code java.net.http.WebSocket} as a client of our server. It has no
 * permessage-deflate, but it sends fragmented messages ({@code last=false}), pings and pongs.
 */
public final class JdkClientDriver {

    static final Duration STEP = Duration.ofSeconds(15);

    private JdkClientDriver() {}

    /** A received message or close, from the listener. */
    private record Event(boolean text, byte[] data, int closeCode, String closeReason, boolean pong) {}

    private static final class Listener implements WebSocket.Listener {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>(1000);
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final StringBuilder partialText = new StringBuilder();

        @Override public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partialText.append(data);
            if (last) {
                events.add(new Event(true, partialText.toString().getBytes(StandardCharsets.UTF_8), 0, null, false));
                partialText.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                events.add(new Event(false, partial.toByteArray(), 0, null, false));
                partial.reset();
            }
            ws.request(1);
            return null;
        }

        @Override public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            byte[] b = new byte[message.remaining()];
            message.get(b);
            events.add(new Event(false, b, 0, null, true));
            ws.request(1);
            return null;
        }

        @Override public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            events.add(new Event(false, null, statusCode, reason, false));
            return null;
        }

        @Override public void onError(WebSocket ws, Throwable error) {
            events.add(new Event(false, null, -1, String.valueOf(error), false));
        }

        Event next() throws InterruptedException {
            Event e = events.poll(STEP.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) throw new IllegalStateException("nothing received within " + STEP);
            return e;
        }
    }

    public static Checks run(URI echo, URI close, int maxSize) {
        Checks checks = new Checks();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(STEP).build()) {
            Listener l = new Listener();
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(STEP).buildAsync(echo, l).get(STEP.toSeconds(), TimeUnit.SECONDS);
            checks.check("negotiated extensions (none offered)", true, "");
            echoText(ws, l, checks, "hello", "text ascii");
            echoText(ws, l, checks, "héllo wörld ✓ 日本語 🎉", "text non-ascii");
            for (int n : Checks.sizes(maxSize)) {
                echoText(ws, l, checks, Checks.text(n), "text " + n + " bytes");
                byte[] b = Checks.binary(n, n);
                await(ws.sendBinary(ByteBuffer.wrap(b), true));
                Event e = l.next();
                checks.check("binary " + n + " bytes", !e.text && e.data != null && Arrays.equals(e.data, b),
                    e.text + " " + (e.data == null ? e.closeCode + " " + e.closeReason : e.data.length));
            }
            // RFC 6455 §5.4: a text message in three frames
            await(ws.sendText("frag-", false));
            await(ws.sendText("ment-", false));
            await(ws.sendText("ed ✓", true));
            Event e = l.next();
            checks.check("text fragmented x3", e.text && new String(e.data, StandardCharsets.UTF_8).equals("frag-ment-ed ✓"), String.valueOf(e));
            await(ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), false));
            await(ws.sendBinary(ByteBuffer.wrap(new byte[] {4, 5}), true));
            e = l.next();
            checks.check("binary fragmented x2", !e.text && Arrays.equals(e.data, new byte[] {1, 2, 3, 4, 5}), String.valueOf(e));
            await(ws.sendPing(ByteBuffer.wrap("ping-payload".getBytes(StandardCharsets.UTF_8))));
            e = l.next();
            checks.check("ping -> pong", e.pong && new String(e.data, StandardCharsets.UTF_8).equals("ping-payload"), String.valueOf(e));
            await(ws.sendPong(ByteBuffer.wrap("unsolicited".getBytes(StandardCharsets.UTF_8))));
            echoText(ws, l, checks, "after unsolicited pong", "unsolicited pong ignored");
            await(ws.sendClose(4001, "client bye ✓"));
            e = l.next();
            // RFC 6455 §5.5.1: the server "typically echos the status code"; the reason need not come back
            checks.check("client close 4001 echoed", e.closeCode == 4001, e.closeCode + " " + e.closeReason);

            Listener l2 = new Listener();
            WebSocket ws2 = http.newWebSocketBuilder().connectTimeout(STEP).buildAsync(close, l2).get(STEP.toSeconds(), TimeUnit.SECONDS);
            await(ws2.sendText("close 4002 server bye ✓", true));
            e = l2.next();
            checks.check("server close 4002", e.closeCode == 4002 && "server bye ✓".equals(e.closeReason), e.closeCode + " " + e.closeReason);
            ws2.abort(); // the server already closed; the JDK client needs no reply from us
        } catch (Exception ex) {
            checks.fail("driver", ex);
        }
        return checks;
    }

    private static void echoText(WebSocket ws, Listener l, Checks checks, String text, String name) throws Exception {
        await(ws.sendText(text, true));
        Event e = l.next();
        checks.check(name, e.text && e.data != null && new String(e.data, StandardCharsets.UTF_8).equals(text),
            e.text + " " + (e.data == null ? e.closeCode + " " + e.closeReason : e.data.length + " bytes"));
    }

    private static void await(CompletableFuture<?> f) throws Exception {
        f.get(STEP.toSeconds(), TimeUnit.SECONDS);
    }
}
