/**
 * loomsocket's sans-I/O WebSocket engine: RFC 6455 framing, handshake, UTF-8 validation and close
 * codes, and RFC 7692 permessage-deflate. No sockets, threads or clocks; zero dependencies.
 */
module io.loomsocket.engine {
    exports io.loomsocket.engine;
}
