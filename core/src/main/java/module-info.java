/**
 * loomsocket core: the blocking {@link io.loomsocket.WebSocket} (dwebsocket's API on virtual
 * threads) over the sans-I/O engine. {@code io.loomsocket} is the public API; the implementation
 * package is open only to the server and the client.
 */
module io.loomsocket.core {
    requires transitive io.loomsocket.engine;

    exports io.loomsocket;
    exports io.loomsocket.connection to io.loomsocket.server, io.loomsocket.client;
}
