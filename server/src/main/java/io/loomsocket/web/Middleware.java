package io.loomsocket.web;

import java.util.Optional;

/**
 * Django-style middleware. The application runs {@link #processRequest} of each middleware in
 * order; the first that returns a response short-circuits (the view does not run). Then, with
 * the view known, {@link #processView} in order. If the view or a middleware throws,
 * {@link #processException} runs in reverse order until one returns a response. Finally
 * {@link #processResponse} runs in reverse order over every middleware whose processRequest ran.
 *
 * <p>A WebSocket request goes through processRequest and processView before the upgrade, so a
 * middleware can refuse it with an ordinary response (401, 403). After the upgrade,
 * processResponse sees {@link Response#isUpgraded()} and nothing it returns is sent.
 */
public interface Middleware {

    /** Before the URL is resolved; return a response to answer the request here. */
    default Optional<Response> processRequest(Request request) throws Exception {
        return Optional.empty();
    }

    /** After the URL resolved to {@code view}, just before it runs (and before a WebSocket upgrade). */
    default Optional<Response> processView(Request request, View view) throws Exception {
        return Optional.empty();
    }

    /** The view or a later middleware threw; return a response to answer with it instead of a 500. */
    default Optional<Response> processException(Request request, Exception exception) {
        return Optional.empty();
    }

    /** Every response on its way out (may return a different one). */
    default Response processResponse(Request request, Response response) throws Exception {
        return response;
    }
}
