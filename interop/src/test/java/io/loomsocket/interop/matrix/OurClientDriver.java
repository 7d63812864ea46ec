package io.loomsocket.interop.matrix;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.interop.client.OurClient;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Our client against a peer echo server that speaks the peers' small command language
 * ("close CODE REASON", "ping PAYLOAD", "frag"; see peers/py_echo_server.py). The same checks
 * as the client drivers, seen from our side.
 */
public final class OurClientDriver {

    static final Duration STEP = Duration.ofSeconds(15);

    private OurClientDriver() {}

    public static Checks run(String url, boolean deflate, int maxSize) {
        Checks checks = new Checks();
        try {
            WebSocket ws = OurClient.connect(url, deflate);
            String ext = ws.extensions();
            checks.check("negotiated extensions=" + ext, ext.contains("permessage-deflate") == deflate, ext);
            echo(ws, checks, Message.text("hello"), "text ascii");
            echo(ws, checks, Message.text("héllo wörld ✓ 日本語 🎉"), "text non-ascii");
            for (int n : Checks.sizes(maxSize)) {
                echo(ws, checks, Message.text(Checks.text(n)), "text " + n + " bytes");
                echo(ws, checks, Message.binary(Checks.binary(n, n)), "binary " + n + " bytes");
            }
            // RFC 6455 §5.4 both ways: the server fragments "frag-ment-ed ✓" (splitting the check mark) ...
            ws.send("frag");
            Optional<Message> m = ws.receive(STEP);
            checks.check("text fragmented by the server", m.equals(Optional.of(Message.text("frag-ment-ed ✓"))), String.valueOf(m));
            // ... and we send a fragmented message through sendStream, one frame per flush
            try (OutputStream out = ws.sendStream(true)) {
                byte[] b = "frag-ment-ed ✓".getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, 5);
                out.flush();
                out.write(b, 5, 9);
                out.flush();
                out.write(b, 14, b.length - 14);
            }
            m = ws.receive(STEP);
            checks.check("text fragmented by us", m.equals(Optional.of(Message.text("frag-ment-ed ✓"))), String.valueOf(m));
            Duration rtt = ws.ping();
            checks.check("ping -> pong (ours, rtt " + rtt.toMillis() + " ms)", true, "");
            ws.send("ping server-ping ✓");
            m = ws.receive(STEP);
            checks.check("ping -> pong (the server's ping, our pong)", m.equals(Optional.of(Message.text("pong server-ping ✓"))), String.valueOf(m));
            ws.pong("unsolicited".getBytes(StandardCharsets.UTF_8));
            echo(ws, checks, Message.text("after unsolicited pong"), "unsolicited pong accepted");
            ws.close(4001, "client bye ✓");
            checks.check("client close 4001 echoed", ws.closeCode().orElse(-1) == 4001 && ws.isClosed(),
                ws.closeCode() + " " + ws.closeReason() + " " + ws.state());

            WebSocket ws2 = OurClient.connect(url, deflate);
            ws2.send("close 4002 server bye ✓");
            m = ws2.receive(STEP);
            long deadline = System.nanoTime() + STEP.toNanos();
            while (!ws2.isClosed() && System.nanoTime() < deadline) Thread.sleep(5);
            checks.check("server close 4002", m.isEmpty() && ws2.closeCode().orElse(-1) == 4002 && ws2.closeReason().equals("server bye ✓"),
                m + " " + ws2.closeCode() + " " + ws2.closeReason() + " " + ws2.state());
        } catch (Exception e) {
            checks.fail("driver", e);
        }
        return checks;
    }

    private static void echo(WebSocket ws, Checks checks, Message sent, String name) {
        ws.send(sent);
        Optional<Message> got = ws.receive(STEP);
        checks.check(name, got.isPresent() && got.get().equals(sent),
            got.map(g -> (g.isText() ? "text " : "binary ") + g.length() + " bytes").orElse("closed " + ws.closeCode() + " " + ws.closeReason()));
    }
}
