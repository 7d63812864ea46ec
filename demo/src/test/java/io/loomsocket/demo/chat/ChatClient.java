package io.loomsocket.demo.chat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test chat participant: connect, send text, receive text with a timeout. (Interim: on the JDK client until loomsocket-client lands.) */
final class ChatClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final WebSocket ws;
    private final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();

    private ChatClient(URI uri) {
        var text = new StringBuilder();
        this.ws = HTTP.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    inbox.add(text.toString());
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }
        }).join();
    }

    static ChatClient connect(URI uri) { return new ChatClient(uri); }

    void send(String text) { ws.sendText(text, true).join(); }

    /** The next text message, or null after {@code timeout}. */
    String receive(Duration timeout) throws InterruptedException { return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS); }

    @Override
    public void close() { ws.abort(); }
}
