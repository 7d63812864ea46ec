package io.loomsocket.interop.client;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.client.WebSocketClient;
import java.net.URI;
import java.time.Duration;

/** Our client as the tests open it: short connect and handshake timeouts, a 1 MiB message limit. */
public final class OurClient {

    public static final int MAX_MESSAGE_SIZE = 1 << 20;
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private OurClient() {}

    public static WebSocket connect(String url, boolean deflate) {
        return WebSocketClient.builder()
            .compression(deflate)
            .connectTimeout(TIMEOUT)
            .handshakeTimeout(TIMEOUT)
            .config(WebSocketConfig.builder().maxMessageSize(MAX_MESSAGE_SIZE).compression(deflate).build())
            .build()
            .connect(URI.create(url));
    }
}
