package io.loomsocket.connection;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/** {@code for (Message m : ws)}: receives until the connection closes; never yields null. */
final class MessageIterator implements Iterator<Message> {
    private final WebSocket ws;
    private Message next;
    private boolean done;

    MessageIterator(WebSocket ws) {
        this.ws = ws;
    }

    @Override
    public boolean hasNext() {
        if (next != null) return true;
        if (done) return false;
        Optional<Message> m = ws.receive();
        if (m.isEmpty()) {
            done = true;
            return false;
        }
        next = m.get();
        return true;
    }

    @Override
    public Message next() {
        if (!hasNext()) throw new NoSuchElementException("the WebSocket is closed");
        Message m = next;
        next = null;
        return m;
    }
}
