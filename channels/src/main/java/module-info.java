/** Groups and broadcast over WebSockets: the in-memory and the Redis (Lettuce) channel layers. */
module io.loomsocket.channels {
    requires transitive io.loomsocket.core;
    requires lettuce.core;
    exports io.loomsocket.channels;
}
