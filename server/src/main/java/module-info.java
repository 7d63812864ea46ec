/**
 * loomsocket's server: an embedded HTTP/1.1 server on virtual threads ({@code io.loomsocket.server})
 * and the Django-shaped web layer on top of it ({@code io.loomsocket.web}): URL patterns, views,
 * the WebSocket decorators, middleware, settings, templates and static files. A views class used
 * with {@code Views.scan} must have its package opened to this module.
 */
module io.loomsocket.server {
    requires transitive io.loomsocket.core;
    requires transitive tools.jackson.databind;
    requires io.pebbletemplates;
    // optional: only with metrics.enabled=true (see io.loomsocket.web.Metrics)
    requires static micrometer.core;
    requires static micrometer.registry.prometheus;

    exports io.loomsocket.server;
    exports io.loomsocket.web;
    exports io.loomsocket.web.auth;

    uses io.loomsocket.web.auth.SessionStoreProvider;
}
