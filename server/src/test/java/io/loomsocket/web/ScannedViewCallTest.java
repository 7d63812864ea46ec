package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A view found by {@link Views#scan} is called without reflection: a WebSocket view parks on its
 * connection's thread for the connection's whole life, and each frame under it stays on the heap.
 */
class ScannedViewCallTest {

    /** A views class as Views.scan reads it; each view records the frames that called it. */
    public static final class RecordingViews {
        List<String> callers;

        public Response page(Request request) {
            callers = StackWalker.getInstance().walk(frames -> frames.map(f -> f.getClassName()).collect(Collectors.toList()));
            return Response.text("ok");
        }

        public void nothing(Request request) {
            callers = StackWalker.getInstance().walk(frames -> frames.map(f -> f.getClassName()).collect(Collectors.toList()));
        }
    }

    @Test
    void aScannedViewRunsWithNoReflectionFrameUnderIt() throws Exception {
        RecordingViews views = new RecordingViews();
        View view = Views.scan(views).get("page");
        Response r = Views.callable(view).handle(null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(views.callers).first().isEqualTo(RecordingViews.class.getName());
        assertThat(views.callers.subList(0, 3)).noneMatch(c -> c.startsWith("java.lang.reflect.") || c.startsWith("jdk.internal.reflect."));
        assertThat(views.callers.get(1)).as("the direct caller is made for the view").doesNotStartWith(Views.class.getName());
    }

    @Test
    void aVoidViewStillRuns() throws Exception {
        RecordingViews views = new RecordingViews();
        assertThat(Views.callable(Views.scan(views).get("nothing")).handle(null)).isNull();
        assertThat(views.callers).isNotEmpty();
    }
}
