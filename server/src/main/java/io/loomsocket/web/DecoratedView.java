package io.loomsocket.web;

import java.util.Optional;

/**
 * A view that wraps another and may answer a request in its place: a decorator such as
 * {@link Views#requireMethods} or {@code Auth.loginRequired}. The application looks through
 * decorators for the WebSocket marking, and runs every decorator's {@link #check} before it
 * upgrades a WebSocket handshake, so a refusal is an ordinary HTTP response and never follows a
 * 101, whatever the order of the decorators and the WebSocket marking.
 */
public interface DecoratedView extends View {

    /** The view this one wraps. */
    View inner();

    /** Empty to let the request through to {@link #inner()}; else the response to answer with. */
    Optional<Response> check(Request request) throws Exception;

    @Override
    default Response handle(Request request) throws Exception {
        Optional<Response> refused = check(request);
        return refused.isPresent() ? refused.get() : inner().handle(request);
    }
}
