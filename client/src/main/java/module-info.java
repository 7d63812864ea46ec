/**
 * loomsocket's blocking WebSocket client ({@code ws://} and {@code wss://}) with the same
 * {@link io.loomsocket.WebSocket} API as server views.
 */
module io.loomsocket.client {
    requires transitive io.loomsocket.core;

    exports io.loomsocket.client;
}
