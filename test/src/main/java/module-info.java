/**
 * loomsocket's test kit for JUnit 5: a {@code WebApp} on a free port ({@code TestServer},
 * {@code TestServerExtension}), a test client with a cookie jar for HTTP and WebSockets
 * ({@code TestClient}, {@code TestWebSocket}) and a peer that misbehaves on purpose
 * ({@code MisbehavingPeer}).
 */
module io.loomsocket.test {
    requires transitive io.loomsocket.server;
    requires transitive io.loomsocket.client;
    requires transitive org.junit.jupiter.api;
    requires transitive java.net.http;

    exports io.loomsocket.test;
}
