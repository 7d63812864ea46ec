/**
 * Groups and broadcast over WebSockets: the in-memory and the Redis (Lettuce) channel layers; and
 * the Redis session store of the web layer ({@code session.store=redis://...}).
 */
module io.loomsocket.channels {
    requires transitive io.loomsocket.core;
    requires io.loomsocket.server;
    requires lettuce.core;
    exports io.loomsocket.channels;

    provides io.loomsocket.web.auth.SessionStoreProvider with io.loomsocket.channels.RedisSessionStoreProvider;
}
