package io.loomsocket.web;

import java.util.List;
import java.util.Objects;

/**
 * A view marked as taking WebSocket requests (made by {@link Views#acceptWebSocket} and
 * {@link Views#requireWebSocket}), with the subprotocols it speaks (RFC 6455 §1.9), in order of
 * preference.
 */
public final class WebSocketView implements View {
    /** ACCEPT: WebSocket and plain HTTP; REQUIRE: WebSocket only (plain HTTP gets 400). */
    public enum Mode { ACCEPT, REQUIRE }

    private final View view;
    private final Mode mode;
    private final List<String> subprotocols;

    WebSocketView(View view, Mode mode, List<String> subprotocols) {
        this.view = Objects.requireNonNull(view, "view");
        this.mode = mode;
        this.subprotocols = List.copyOf(subprotocols);
        for (String p : this.subprotocols) {
            if (p.isEmpty() || !p.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new IllegalArgumentException("a subprotocol must be a token (RFC 6455 §4.1): '" + p + "'");
            }
        }
    }

    /** The same view, also declaring the subprotocols it speaks (first preferred). */
    public WebSocketView subprotocols(String... protocols) {
        return new WebSocketView(view, mode, List.of(protocols));
    }

    public Mode mode() {
        return mode;
    }

    public List<String> subprotocols() {
        return subprotocols;
    }

    /** The view inside. */
    public View view() {
        return view;
    }

    @Override
    public Response handle(Request request) throws Exception {
        return view.handle(request);
    }

    @Override
    public String toString() {
        return mode.name().toLowerCase() + "WebSocket(" + view + (subprotocols.isEmpty() ? "" : ", " + subprotocols) + ")";
    }
}
