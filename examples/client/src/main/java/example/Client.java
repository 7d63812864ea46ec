package example;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;

import java.net.URI;
import java.time.Duration;

/**
 * A client program: {@code Client URL [--expect N] [MESSAGE...]} connects, sends each MESSAGE as
 * text, then prints the text of every message it receives until it has printed N (default: as
 * many as it sent), and closes with 1000. Run it with
 * {@code mvn -q compile exec:java -Dexec.args="ws://127.0.0.1:8000/echo hello"}.
 */
public final class Client {
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Client URL [--expect N] [MESSAGE...]");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        int expect = -1;
        int first = 1;
        if (args.length > 2 && args[1].equals("--expect")) {
            expect = Integer.parseInt(args[2]);
            first = 3;
        }
        if (expect < 0) expect = args.length - first;

        WebSocketClient client = WebSocketClient.builder().connectTimeout(Duration.ofSeconds(5)).build();
        try (WebSocket ws = client.connect(url)) {
            for (int i = first; i < args.length; i++) ws.send(args[i]);
            for (int received = 0; received < expect; received++) {
                Message m = ws.receive(Duration.ofSeconds(30)).orElseThrow(
                        () -> new IllegalStateException("the server closed the connection: " + ws.closeCode()));
                System.out.println(m instanceof Message.Text t ? t.text() : "(" + m.length() + " bytes)");
            }
        }
    }
}
